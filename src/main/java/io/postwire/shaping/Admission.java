package io.postwire.shaping;

import java.time.Instant;

/**
 * The answer to "may this start now?". An expected outcome, so a value and not an exception.
 * {@link SiteShaper#admit} answers {@link Permit}, {@link WaitUntil} or {@link Suspended};
 * {@link SiteShaper#reserve} may also answer {@link Reserved}; {@link SiteShaper#openConnection}
 * may also answer {@link Busy}.
 */
public sealed interface Admission {

    /** Go ahead. A connection permit must be returned with {@link SiteShaper#connectionClosed}. */
    record Permit(SiteKey key) implements Admission {
    }

    /**
     * The message has the rate's slot at {@code at}, counted against the rate and the daily cap
     * already: start it then with {@link SiteShaper#claim} (which only checks for a suspension
     * since), without asking again. The next caller gets the slot after this one.
     */
    record Reserved(Instant at, String reason) implements Admission {
    }

    /** A rate or the daily cap says no; ask again at {@code at}, not before. Nothing is reserved. */
    record WaitUntil(Instant at, String reason) implements Admission {
    }

    /** The site is suspended for this pool; nothing starts before {@code until}. */
    record Suspended(Instant until, String reason) implements Admission {
    }

    /**
     * All {@code maxConnections} connections are open: reuse one when it frees up rather than
     * polling, since no instant can be predicted.
     */
    record Busy(int open, int max) implements Admission {
    }
}
