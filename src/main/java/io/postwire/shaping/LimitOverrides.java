package io.postwire.shaping;

import io.postwire.event.SiteLimits;

/**
 * Some of a site's limits replaced for one sending pool ({@code postwire.shaping.pools.*}); the
 * fields left null keep the site's own value. A new IP being warmed up, for example, gets a low
 * {@code message-rate} everywhere while keeping each site's connection limits.
 */
record LimitOverrides(Integer maxConnections, SiteLimits.Rate connectionRate, Integer messagesPerConnection,
        SiteLimits.Rate messageRate, Long dailyCap) {

    static final LimitOverrides NONE = new LimitOverrides(null, null, null, null, null);

    SiteLimits apply(SiteLimits base) {
        return new SiteLimits(
                maxConnections != null ? maxConnections : base.maxConnections(),
                connectionRate != null ? connectionRate : base.connectionRate(),
                messagesPerConnection != null ? messagesPerConnection : base.messagesPerConnection(),
                messageRate != null ? messageRate : base.messageRate(),
                dailyCap != null ? dailyCap : base.dailyCap());
    }

    /** The fields set here win over {@code under}'s. */
    LimitOverrides over(LimitOverrides under) {
        return new LimitOverrides(
                maxConnections != null ? maxConnections : under.maxConnections,
                connectionRate != null ? connectionRate : under.connectionRate,
                messagesPerConnection != null ? messagesPerConnection : under.messagesPerConnection,
                messageRate != null ? messageRate : under.messageRate,
                dailyCap != null ? dailyCap : under.dailyCap);
    }
}
