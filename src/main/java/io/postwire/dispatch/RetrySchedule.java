package io.postwire.dispatch;

import io.postwire.event.SendRequested;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The retry policy of each {@link FailureKind} and how long a send may live: Postfix-like
 * defaults (5 min doubling to about 70 min, 5 days), a shorter life for sends tagged
 * {@code transactional} (a password reset a day late is worse than none). Pure.
 */
record RetrySchedule(Map<FailureKind, RetryPolicy> policies, Duration maxAge, Duration transactionalMaxAge) {

    static final String TRANSACTIONAL = "transactional";

    RetrySchedule {
        policies = Map.copyOf(policies);
        for (FailureKind k : FailureKind.values()) {
            if (!policies.containsKey(k)) {
                throw new IllegalArgumentException("no retry policy for " + k);
            }
        }
    }

    static RetrySchedule from(DispatchConfig c) {
        RetryPolicy base = c.retryPolicy();
        Map<FailureKind, RetryPolicy> m = new EnumMap<>(FailureKind.class);
        m.put(FailureKind.NETWORK, override(base, c.retryNetworkInitial(), c.retryNetworkMax()));
        m.put(FailureKind.REPLY_4XX, override(base, c.retryReplyInitial(), c.retryReplyMax()));
        m.put(FailureKind.THROTTLED, override(base, c.retryThrottledInitial(), c.retryThrottledMax()));
        m.put(FailureKind.TLS_POLICY, override(base, c.retryTlsInitial(), c.retryTlsMax()));
        return new RetrySchedule(m, c.maxAge(), c.transactionalMaxAge());
    }

    private static RetryPolicy override(RetryPolicy base, Optional<Duration> initial, Optional<Duration> max) {
        Duration i = initial.orElse(base.initial());
        Duration m = max.orElse(base.max());
        return new RetryPolicy(i, m.compareTo(i) < 0 ? i : m, base.multiplier(), base.jitter());
    }

    /** When the send is given up: its own {@code expiresAt}, else requested + the max age of its kind. */
    Instant expiresAt(SendRequested s) {
        if (s.expiresAt() != null) {
            return s.expiresAt();
        }
        boolean transactional = s.tags().stream().anyMatch(TRANSACTIONAL::equalsIgnoreCase);
        return s.requestedAt().plus(transactional ? transactionalMaxAge : maxAge);
    }

    Optional<Instant> nextAttempt(FailureKind kind, int failedAttempt, Instant now, Instant expiresAt,
            RandomGenerator random) {
        return policies.get(kind).nextAttempt(failedAttempt, now, expiresAt, random);
    }
}
