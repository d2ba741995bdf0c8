package io.postwire.mtasts;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A parsed policy file (RFC 8461 §3.2).
 *
 * @param mode   what the domain asks senders to do
 * @param mx     the MX host patterns; at least one unless the mode is {@code none}
 * @param maxAge how long the policy may be cached, at most a year (31557600 s)
 */
record StsPolicy(Mode mode, List<String> mx, Duration maxAge) {

    /** RFC 8461 §3.2 caps max_age at 31557600 seconds (about a year). */
    static final long MAX_AGE_LIMIT_SECONDS = 31_557_600L;

    enum Mode { ENFORCE, TESTING, NONE }

    StsPolicy {
        Objects.requireNonNull(mode, "mode");
        mx = List.copyOf(mx);
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative() || maxAge.getSeconds() > MAX_AGE_LIMIT_SECONDS) {
            throw new IllegalArgumentException("max_age out of range: " + maxAge);
        }
        if (mode != Mode.NONE && mx.isEmpty()) {
            throw new IllegalArgumentException("a " + mode + " policy needs an mx pattern");
        }
    }

    /** The decision the dispatcher acts on. */
    TlsPolicy toTlsPolicy() {
        switch (mode) {
            case ENFORCE:
                return new TlsPolicy.Enforce(mx);
            case TESTING:
                return new TlsPolicy.Testing(mx);
            default:
                return new TlsPolicy.None();
        }
    }
}
