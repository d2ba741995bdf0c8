package io.postwire.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * When to try a deferred send again: exponential backoff from {@code initial}, capped at
 * {@code max}, with ± {@code jitter} so that a provider's outage does not make every deferred
 * send return in the same second. Pure, with injected randomness, so it is tested without time.
 */
public record RetryPolicy(Duration initial, Duration max, double multiplier, double jitter) {

    public RetryPolicy {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("retry needs 0 < initial <= max");
        }
        if (multiplier < 1 || jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("retry needs multiplier >= 1 and 0 <= jitter < 1");
        }
    }

    /** The delay after the given failed attempt (1-based). */
    public Duration delayAfter(int attempt, RandomGenerator random) {
        double base = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        double capped = Math.min(base, max.toMillis());
        double factor = 1 + jitter * (2 * random.nextDouble() - 1);
        return Duration.ofMillis(Math.max(1, Math.round(capped * factor)));
    }

    /** The next attempt's time, or empty when it would fall after the send expires. */
    public Optional<Instant> nextAttempt(int failedAttempt, Instant now, Instant expiresAt, RandomGenerator random) {
        Instant next = now.plus(delayAfter(failedAttempt, random));
        return next.isAfter(expiresAt) ? Optional.empty() : Optional.of(next);
    }
}
