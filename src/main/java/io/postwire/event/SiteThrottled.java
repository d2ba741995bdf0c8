package io.postwire.event;

import java.time.Instant;

/**
 * The site is sending, but below its configured limits: a reply told Postwire to slow down,
 * or the limits are being raised back step by step after such a reply.
 *
 * @param rule the backoff rule that matched {@code reply}; null for a ramp step
 * @param reply the SMTP reply that caused the cut; null for a ramp step
 * @param nextStepAt when the limits will next be raised if no further throttling reply arrives
 */
public record SiteThrottled(
        String site,
        String pool,
        String reason,
        String rule,
        SmtpReply reply,
        SiteLimits limits,
        Instant nextStepAt,
        boolean manual) implements SiteEvent {

    public SiteThrottled {
        Require.site(site, pool, reason, limits);
        Require.present("nextStepAt", nextStepAt);
    }
}
