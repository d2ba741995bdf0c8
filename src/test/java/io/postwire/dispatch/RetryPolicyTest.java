package io.postwire.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(Duration.ofMinutes(5), Duration.ofMinutes(70), 2.0, 0.2);

    /** A "random" source that always answers the same value. */
    private static RandomGenerator fixed(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    @Test
    void backsOffExponentiallyUpToTheCap() {
        RandomGenerator middle = fixed(0.5); // no jitter
        assertEquals(Duration.ofMinutes(5), policy.delayAfter(1, middle));
        assertEquals(Duration.ofMinutes(10), policy.delayAfter(2, middle));
        assertEquals(Duration.ofMinutes(40), policy.delayAfter(4, middle));
        assertEquals(Duration.ofMinutes(70), policy.delayAfter(5, middle));
        assertEquals(Duration.ofMinutes(70), policy.delayAfter(30, middle));
    }

    @Test
    void jitterStaysWithinItsBounds() {
        assertEquals(Duration.ofMinutes(4), policy.delayAfter(1, fixed(0.0)));
        assertTrue(policy.delayAfter(1, fixed(0.999999)).compareTo(Duration.ofMinutes(6)) <= 0);
    }

    @Test
    void noNextAttemptPastExpiry() {
        Instant now = Instant.parse("2026-11-27T10:00:00Z");
        assertTrue(policy.nextAttempt(1, now, now.plus(Duration.ofMinutes(3)), fixed(0.5)).isEmpty());
        assertEquals(now.plus(Duration.ofMinutes(5)),
                policy.nextAttempt(1, now, now.plus(Duration.ofDays(5)), fixed(0.5)).orElseThrow());
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(Duration.ZERO, Duration.ofMinutes(1), 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(Duration.ofMinutes(2), Duration.ofMinutes(1), 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(Duration.ofMinutes(1), Duration.ofMinutes(2), 0.5, 0));
    }
}
