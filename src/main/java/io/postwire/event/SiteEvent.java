package io.postwire.event;

/**
 * A change in how fast Postwire may send to one destination site from one sending pool. Each
 * event states the site's new condition in full, so a reader needs only the latest one:
 * {@link SiteThrottled} (sending below its configured limits), {@link SiteSuspended} (not
 * sending until a time), {@link SiteResumed} (back at its configured limits).
 *
 * <p>Deliberately not a {@link PostwireEvent}: those are per-recipient stories with a message,
 * a sender and a recipient, and a site change has none of these. Site events travel on their own
 * topic ({@code postwire.sites.v1}, keyed by site) in the same CloudEvents envelope form; see
 * {@link SiteEnvelope}.
 */
public sealed interface SiteEvent permits SiteThrottled, SiteSuspended, SiteResumed {

    /** The destination site (MX rollup, e.g. {@code outlook}, {@code example.co.uk}). */
    String site();

    /** The sending pool (IP or group of IPs) whose traffic to the site changed. */
    String pool();

    /** Why, in words an operator understands: the rule that fired, the ramp step, who acted. */
    String reason();

    /** The limits in force from now on. */
    SiteLimits limits();

    /** True when an operator caused the change, false when Postwire did on its own. */
    boolean manual();
}
