package io.postwire.shaping;

import java.time.Duration;
import java.time.Instant;

/**
 * Instants as nanoseconds since the epoch in a {@code long} (good until 2262): per-site state
 * keeps a handful of these, and a long is 8 bytes where an {@code Instant} is a 24-byte object.
 * {@link #NONE} marks "not set".
 */
final class Nanos {

    static final long NONE = Long.MIN_VALUE;
    static final long PER_SECOND = 1_000_000_000L;
    static final long PER_DAY = 86_400L * PER_SECOND;

    static long of(Instant i) {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), PER_SECOND), i.getNano());
    }

    static long of(Duration d) {
        return d.toNanos();
    }

    static Instant instant(long nanos) {
        return nanos == NONE ? null : Instant.ofEpochSecond(Math.floorDiv(nanos, PER_SECOND),
                Math.floorMod(nanos, PER_SECOND));
    }

    /** The UTC day number: daily caps reset when it changes, at 00:00 UTC. */
    static long day(long nanos) {
        return Math.floorDiv(nanos, PER_DAY);
    }

    private Nanos() {
    }
}
