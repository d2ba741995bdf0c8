package io.postwire.shaping;

import java.time.Duration;

/** What a matching {@link BackoffRule} does to the site. */
public sealed interface BackoffAction {

    /**
     * Multiply the limits in {@code scope} by {@code factor} (0 &lt; factor &lt; 1); they ramp
     * back on their own afterwards.
     */
    record Throttle(double factor, ThrottleScope scope) implements BackoffAction {
        public Throttle {
            if (!(factor > 0 && factor < 1)) {
                throw new IllegalArgumentException("throttle factor must be > 0 and < 1, was " + factor);
            }
            if (scope == null) {
                throw new IllegalArgumentException("throttle scope is required");
            }
        }
    }

    /** Start nothing to the site for {@code duration}. */
    record Suspend(Duration duration) implements BackoffAction {
        public Suspend {
            if (duration == null || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("suspend duration must be positive, was " + duration);
            }
        }
    }
}
