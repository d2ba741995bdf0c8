package io.postwire.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Appends one result as one JSON object on one line to a results file.
 *
 * <p>Hand-written rather than Jackson so that the key order is exactly the map's insertion order
 * and the bench has no say in how the app's codec is configured. Handles only what results hold:
 * maps, numbers, booleans, null and strings.
 */
final class JsonLines {

    private JsonLines() {
    }

    static void append(Path file, Map<String, Object> fields) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, toJson(fields) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static String toJson(Object o) {
        if (o == null) {
            return "null";
        }
        if (o instanceof Map<?, ?> m) {
            return m.entrySet().stream().map(e -> toJson(e.getKey().toString()) + ":" + toJson(e.getValue()))
                    .collect(Collectors.joining(",", "{", "}"));
        }
        if (o instanceof Number || o instanceof Boolean) {
            return o.toString();
        }
        String s = o.toString().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r");
        return "\"" + s + "\"";
    }
}
