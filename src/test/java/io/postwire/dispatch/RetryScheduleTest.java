package io.postwire.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.event.SendRequested;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Retry schedules per failure kind and the shorter life of transactional sends. Pure, no Quarkus. */
class RetryScheduleTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final RetrySchedule schedule = schedule();

    private static RetrySchedule schedule() {
        Map<FailureKind, RetryPolicy> m = new EnumMap<>(FailureKind.class);
        RetryPolicy postfix = new RetryPolicy(Duration.ofMinutes(5), Duration.ofMinutes(70), 2.0, 0.0);
        m.put(FailureKind.NETWORK, postfix);
        m.put(FailureKind.REPLY_4XX, postfix);
        m.put(FailureKind.THROTTLED, new RetryPolicy(Duration.ofMinutes(15), Duration.ofHours(2), 2.0, 0.0));
        m.put(FailureKind.TLS_POLICY, new RetryPolicy(Duration.ofHours(1), Duration.ofHours(4), 2.0, 0.0));
        return new RetrySchedule(m, Duration.ofDays(5), Duration.ofDays(1));
    }

    @Test
    void eachKindHasItsOwnBackoff() {
        Instant far = T0.plus(Duration.ofDays(5));
        assertEquals(T0.plus(Duration.ofMinutes(5)), next(FailureKind.NETWORK, 1, far));
        assertEquals(T0.plus(Duration.ofMinutes(40)), next(FailureKind.REPLY_4XX, 4, far));
        assertEquals(T0.plus(Duration.ofMinutes(70)), next(FailureKind.REPLY_4XX, 9, far), "capped at max");
        assertEquals(T0.plus(Duration.ofMinutes(15)), next(FailureKind.THROTTLED, 1, far));
        assertEquals(T0.plus(Duration.ofHours(1)), next(FailureKind.TLS_POLICY, 1, far));
        assertTrue(schedule.nextAttempt(FailureKind.TLS_POLICY, 1, T0, T0.plus(Duration.ofMinutes(30)),
                new Random(1)).isEmpty(), "no attempt after the send expires");
    }

    @Test
    void transactionalSendsLiveShorterUnlessTheySayOtherwise() {
        assertEquals(T0.plus(Duration.ofDays(5)), schedule.expiresAt(send(List.of("newsletter"), null)));
        assertEquals(T0.plus(Duration.ofDays(1)), schedule.expiresAt(send(List.of("Transactional"), null)));
        Instant own = T0.plus(Duration.ofHours(3));
        assertEquals(own, schedule.expiresAt(send(List.of("transactional"), own)));
    }

    @Test
    void everyKindNeedsAPolicy() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new RetrySchedule(
                Map.of(FailureKind.NETWORK, new RetryPolicy(Duration.ofMinutes(1), Duration.ofMinutes(1), 1, 0)),
                Duration.ofDays(1), Duration.ofDays(1)));
    }

    private Instant next(FailureKind kind, int attempt, Instant expires) {
        return schedule.nextAttempt(kind, attempt, T0, expires, new Random(1)).orElseThrow();
    }

    private static SendRequested send(List<String> tags, Instant expiresAt) {
        return new SendRequested("m", "m.1", "a@example.test", "b@example.test", null, List.of("b@example.test"),
                null, "s", "t", null, null, Map.of(), tags, null, T0, expiresAt, null);
    }
}
