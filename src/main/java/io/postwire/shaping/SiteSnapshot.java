package io.postwire.shaping;

import io.postwire.event.SiteLimits;
import io.postwire.event.SmtpReply;
import java.time.Instant;

/**
 * What an operator sees about one site and pool at one instant.
 *
 * @param reason why the site is in {@code state} (the last change's reason)
 * @param until when a suspension ends ({@code SUSPENDED}) or the next ramp step is due
 *     ({@code THROTTLED}); null when {@code ACTIVE}
 * @param sentToday messages admitted since UTC midnight (attempts, whatever their outcome)
 * @param lastReply the last reply observed, null if none yet or the last outcome had no reply
 * @param queued and {@code oldestQueued}: the backlog the dispatcher last reported
 */
public record SiteSnapshot(
        SiteKey key,
        State state,
        String reason,
        SiteLimits configured,
        SiteLimits effective,
        Instant until,
        int openConnections,
        long sentToday,
        SmtpReply lastReply,
        Instant lastReplyAt,
        Instant lastNetworkFailureAt,
        long queued,
        Instant oldestQueued) {

    /** The three conditions a site can be in; each change between them is a site event. */
    public enum State {
        /** At the configured limits. */
        ACTIVE,
        /** Below the configured limits, ramping back. */
        THROTTLED,
        /** Nothing starts until {@code until}. */
        SUSPENDED
    }
}
