package io.postwire.oauth;

import java.time.Instant;
import java.util.Objects;

/**
 * A bearer access token (RFC 6750) and when it expires. {@link #toString()} never shows the
 * value, so a token can sit in a log line or an exception without leaking.
 *
 * @param value     the token as issued; printable ASCII without spaces, because it goes verbatim
 *                  into an SMTP command and must not be able to break it
 * @param expiresAt when the issuer says it stops being valid
 */
public record AccessToken(String value, Instant expiresAt) {

    public AccessToken {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!isWellFormed(value)) {
            throw new IllegalArgumentException("access token must be non-empty printable ASCII without spaces");
        }
    }

    static boolean isWellFormed(String value) {
        return !value.isEmpty() && value.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    @Override
    public String toString() {
        return "AccessToken[value=****, expiresAt=" + expiresAt + "]";
    }
}
