package io.postwire.oauth;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Removes known secrets from text that is about to become an exception message. Our own messages
 * never include a secret, but a token endpoint's {@code error_description} or a transport error is
 * text we do not control, so every secret of the request is replaced, raw, form-encoded and
 * base64-encoded (the forms it travelled in).
 */
final class SecretScrubber {

    private final Set<String> secrets = new LinkedHashSet<>();

    SecretScrubber(String... values) {
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                secrets.add(v);
                secrets.add(URLEncoder.encode(v, StandardCharsets.UTF_8));
                secrets.add(Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    String scrub(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, "****");
        }
        return out;
    }
}
