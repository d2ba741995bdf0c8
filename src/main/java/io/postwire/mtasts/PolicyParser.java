package io.postwire.mtasts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a policy file (RFC 8461 §3.2): {@code key: value} lines for {@code version} (must be
 * {@code STSv1}), {@code mode}, {@code max_age} and repeated {@code mx}; unknown keys are ignored
 * (§3.2 lets policies grow). Strict about values, tolerant about the form servers get wrong in
 * harmless ways: LF as well as CRLF line ends, a missing final line end, blank lines, trailing
 * whitespace. A key other than {@code mx} given twice is invalid: which one was meant is unknowable.
 */
final class PolicyParser {

    private PolicyParser() {
    }

    static PolicyFetch parse(String body) {
        Map<String, String> fields = new HashMap<>();
        List<String> mx = new ArrayList<>();
        for (String raw : body.split("\r?\n", -1)) {
            String line = raw.stripTrailing();
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                return invalid("line without a key: '" + abbreviate(line) + "'");
            }
            String key = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            if (!key.matches("[A-Za-z0-9_.-]{1,32}")) {
                return invalid("bad key '" + abbreviate(key) + "'");
            }
            if (key.equals("mx")) {
                if (!MxPatterns.valid(value)) {
                    return invalid("bad mx pattern '" + abbreviate(value) + "'");
                }
                mx.add(MxPatterns.canonical(value));
            } else if (fields.putIfAbsent(key, value) != null
                    && (key.equals("version") || key.equals("mode") || key.equals("max_age"))) {
                return invalid("'" + key + "' given twice");
            }
        }
        if (!"STSv1".equals(fields.get("version"))) {
            return invalid("version is not STSv1: " + fields.get("version"));
        }
        StsPolicy.Mode mode = mode(fields.get("mode"));
        if (mode == null) {
            return invalid("bad mode: " + fields.get("mode"));
        }
        String maxAge = fields.get("max_age");
        // 1 to 10 digits (§3.2's ABNF), checked before parsing so huge numbers cannot overflow.
        if (maxAge == null || !maxAge.matches("[0-9]{1,10}")
                || Long.parseLong(maxAge) > StsPolicy.MAX_AGE_LIMIT_SECONDS) {
            return invalid("bad max_age: " + maxAge);
        }
        if (mode != StsPolicy.Mode.NONE && mx.isEmpty()) {
            return invalid("mode " + fields.get("mode") + " without mx");
        }
        return new PolicyFetch.Fetched(new StsPolicy(mode, mx, Duration.ofSeconds(Long.parseLong(maxAge))));
    }

    private static StsPolicy.Mode mode(String value) {
        if (value == null) {
            return null;
        }
        switch (value) {
            case "enforce":
                return StsPolicy.Mode.ENFORCE;
            case "testing":
                return StsPolicy.Mode.TESTING;
            case "none":
                return StsPolicy.Mode.NONE;
            default:
                return null;
        }
    }

    private static PolicyFetch invalid(String reason) {
        return new PolicyFetch.Failed(TlsResult.STS_POLICY_INVALID, reason);
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "…";
    }
}
