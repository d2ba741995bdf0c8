package io.postwire.mtasts;

import java.util.Locale;

/**
 * The MX host patterns of an MTA-STS policy (RFC 8461 §3.2, §4.1): a host name, or {@code *.}
 * followed by one, where the wildcard stands for exactly one leftmost label. Comparison is
 * case-insensitive and ignores a trailing dot, as DNS does.
 */
final class MxPatterns {

    private static final String LABEL = "[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?";
    private static final String NAME = LABEL + "(\\." + LABEL + ")*";

    private MxPatterns() {
    }

    /** True for {@code mx.example.net} and {@code *.example.net}; false for {@code mx*.net}, IPs too. */
    static boolean valid(String pattern) {
        String p = canonical(pattern);
        String name = p.startsWith("*.") ? p.substring(2) : p;
        return name.length() <= 253 && name.matches(NAME);
    }

    /** RFC 8461 §4.1: does {@code host} (an MX host name) match {@code pattern}? */
    static boolean matches(String pattern, String host) {
        String p = canonical(pattern);
        String h = canonical(host);
        if (h.isEmpty()) {
            return false;
        }
        if (p.startsWith("*.")) {
            int dot = h.indexOf('.');
            // "*.example.net" matches "mx.example.net", neither "example.net" nor "a.mx.example.net".
            return dot > 0 && h.substring(dot + 1).equals(p.substring(2));
        }
        return p.equals(h);
    }

    static String canonical(String name) {
        String lower = name.strip().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
