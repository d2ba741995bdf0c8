package io.postwire.event;

import java.time.Instant;

/**
 * No new message may start to the site from the pool until {@code until}. Suspending a site
 * never says anything about the recipients waiting for it: a block of the sending IP is not a
 * verdict on an address.
 *
 * @param rule the backoff rule that matched {@code reply}; null for an operator's suspension
 * @param reply the SMTP reply that caused it; null for an operator's suspension
 * @param limits the limits that will apply when the suspension ends
 */
public record SiteSuspended(
        String site,
        String pool,
        String reason,
        String rule,
        SmtpReply reply,
        SiteLimits limits,
        Instant until,
        boolean manual) implements SiteEvent {

    public SiteSuspended {
        Require.site(site, pool, reason, limits);
        Require.present("until", until);
    }
}
