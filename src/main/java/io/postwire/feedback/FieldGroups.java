package io.postwire.feedback;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the header-style body of a {@code message/delivery-status} (RFC 3464 §2.1) or
 * {@code message/feedback-report} (RFC 5965 §3.1) part: groups of {@code Name: value} fields
 * separated by blank lines.
 *
 * <p>Lenient on purpose, because reports come from every MTA ever written: CRLF, LF or bare CR;
 * folded values are unfolded; names are matched case-insensitively (keys are lower-cased);
 * whitespace-only separator lines count as blank; lines without a colon are skipped; a repeated
 * field keeps its first value.
 */
final class FieldGroups {

    private FieldGroups() {
    }

    static List<Map<String, String>> parse(String text) {
        List<Map<String, String>> groups = new ArrayList<>();
        Map<String, String> group = new LinkedHashMap<>();
        String last = null;
        for (String line : text.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1)) {
            if (line.isBlank()) {
                if (!group.isEmpty()) {
                    groups.add(group);
                    group = new LinkedHashMap<>();
                }
                last = null;
            } else if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (last != null) {
                    group.put(last, (group.get(last) + " " + line.strip()).strip());
                }
            } else {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    last = null;
                    continue;
                }
                String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                if (group.containsKey(name)) {
                    last = null; // keep the first occurrence, and do not fold into it
                } else {
                    group.put(name, line.substring(colon + 1).strip());
                    last = name;
                }
            }
        }
        if (!group.isEmpty()) {
            groups.add(group);
        }
        return groups;
    }

    /** The value of a typed field ({@code dns; mx.example.net}, {@code rfc822; a@b}) without its type. */
    static String untyped(String value) {
        if (value == null) {
            return null;
        }
        int semi = value.indexOf(';');
        String v = (semi < 0 ? value : value.substring(semi + 1)).strip();
        return v.isEmpty() ? null : v;
    }

    /** The type of a typed field, lower-cased, or null when it has none. */
    static String typeOf(String value) {
        if (value == null) {
            return null;
        }
        int semi = value.indexOf(';');
        return semi <= 0 ? null : value.substring(0, semi).strip().toLowerCase(Locale.ROOT);
    }

    /**
     * A host name field ({@code Reporting-MTA}, {@code Remote-MTA}) without its type, comments
     * such as {@code (192.0.2.1)} and the trailing dot of a fully qualified name.
     */
    static String host(String value) {
        String v = untyped(value);
        if (v == null) {
            return null;
        }
        v = v.replaceAll("\\([^)]*\\)?", " ").strip();
        int space = v.indexOf(' ');
        v = space < 0 ? v : v.substring(0, space);
        v = v.endsWith(".") ? v.substring(0, v.length() - 1) : v;
        return v.isEmpty() ? null : v;
    }

    /** An address as reports write it: maybe typed, maybe in angle brackets. */
    static String address(String value) {
        String v = untyped(value);
        if (v == null) {
            return null;
        }
        if (v.startsWith("<") && v.indexOf('>') > 0) {
            v = v.substring(1, v.indexOf('>'));
        }
        v = v.strip();
        return v.isEmpty() ? null : v;
    }
}
