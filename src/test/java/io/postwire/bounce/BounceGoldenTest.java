package io.postwire.bounce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.event.BounceClass;
import io.postwire.event.SmtpReply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every line of {@code feedback/replies.golden} gets the class written next to it. */
class BounceGoldenTest {

    private static final Path GOLDEN = Path.of("src", "test", "resources", "feedback", "replies.golden");

    static List<String> lines() throws Exception {
        return Files.readAllLines(GOLDEN, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .toList();
    }

    static Stream<Arguments> replies() throws Exception {
        return lines().stream().map(l -> {
            String[] f = l.split("\\|", -1);
            if (f.length != 3) {
                throw new IllegalArgumentException("want code|text|CLASS: " + l);
            }
            return Arguments.of(Integer.parseInt(f[0]), f[1], BounceClass.valueOf(f[2]));
        });
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("replies")
    void classifies(int code, String text, BounceClass expected) {
        assertEquals(expected, BounceClassifier.classify(SmtpReply.parse(code, text)));
    }

    @Test
    void coversEveryClassWithEnoughLines() throws Exception {
        List<String> lines = lines();
        assertTrue(lines.size() >= 40, "only " + lines.size() + " golden lines");
        for (BounceClass c : BounceClass.values()) {
            assertTrue(lines.stream().anyMatch(l -> l.endsWith("|" + c.name())), "no golden line for " + c);
        }
    }
}
