package io.postwire.shaping;

import io.postwire.event.SiteLimits;
import java.time.Duration;
import java.util.Map;

/**
 * Everything {@link SiteShaper} needs to know, validated. Build it with
 * {@link ShapingConfigParser#parse} (shipped presets plus configuration) or {@link #shipped()}.
 *
 * @param defaults limits of every site without its own entry
 * @param sites limits per site name (presets merged with configuration)
 * @param pools per sending pool, overrides of some limits: for every site ({@code pools.<p>.defaults})
 *     and per site ({@code pools.<p>.sites.<s>}, winning over the pool's defaults), applied on top
 *     of the site's own limits
 * @param rampInterval how long a throttled site must stay quiet before its limits rise a step
 * @param rampStep how much each step adds back, as a fraction of the configured limits
 * @param minFactor throttles never cut below this fraction of the configured limits
 * @param throttleCooldown replies that arrive within this time of a cut do not cut again: they
 *     come from messages that started before the cut took effect
 * @param idleEviction a site at its configured limits with nothing in flight or waiting is
 *     forgotten after this long without activity
 * @param maxSites above this many sites, idle sites are forgotten even before
 *     {@code idleEviction}, least recently active first
 */
public record ShapingConfig(
        SiteLimits defaults,
        Map<String, SiteLimits> sites,
        Map<String, PoolOverrides> pools,
        BackoffRules rules,
        Duration rampInterval,
        double rampStep,
        double minFactor,
        Duration throttleCooldown,
        Duration idleEviction,
        int maxSites) {

    public ShapingConfig {
        if (defaults == null || sites == null || pools == null || rules == null) {
            throw new IllegalArgumentException("defaults, sites, pools and rules are required");
        }
        sites = Map.copyOf(sites);
        pools = Map.copyOf(pools);
        positive("ramp-interval", rampInterval);
        positive("throttle-cooldown", throttleCooldown);
        positive("idle-eviction", idleEviction);
        if (!(rampStep > 0 && rampStep <= 1)) {
            throw new IllegalArgumentException("ramp-step must be > 0 and <= 1, was " + rampStep);
        }
        if (!(minFactor > 0 && minFactor < 1)) {
            throw new IllegalArgumentException("min-factor must be > 0 and < 1, was " + minFactor);
        }
        if (maxSites < 1) {
            throw new IllegalArgumentException("max-sites must be >= 1, was " + maxSites);
        }
    }

    /** The shipped presets and rules with no configuration on top. */
    public static ShapingConfig shipped() {
        return ShapingConfigParser.parse(Map.of());
    }

    /** The configured limits of a site from the default pool: its own entry, else the defaults. */
    public SiteLimits limitsFor(String site) {
        return sites.getOrDefault(site, defaults);
    }

    /** The configured limits of a site from a pool: the site's, with the pool's overrides on top. */
    public SiteLimits limitsFor(SiteKey key) {
        SiteLimits base = limitsFor(key.site());
        PoolOverrides p = pools.get(key.pool());
        return p == null ? base : p.forSite(key.site()).apply(base);
    }

    /** One pool's overrides: for every site, and per site (which win). */
    record PoolOverrides(LimitOverrides defaults, Map<String, LimitOverrides> sites) {

        PoolOverrides {
            sites = Map.copyOf(sites);
        }

        LimitOverrides forSite(String site) {
            LimitOverrides own = sites.get(site);
            return own == null ? defaults : own.over(defaults);
        }
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
        }
    }
}
