package io.postwire.event;

/**
 * The site is back at its configured limits: a suspension ended, a throttle ramped all the way
 * back, or an operator lifted either.
 */
public record SiteResumed(
        String site,
        String pool,
        String reason,
        SiteLimits limits,
        boolean manual) implements SiteEvent {

    public SiteResumed {
        Require.site(site, pool, reason, limits);
    }
}
