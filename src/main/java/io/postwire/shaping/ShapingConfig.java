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
        BackoffRules rules,
        Duration rampInterval,
        double rampStep,
        double minFactor,
        Duration throttleCooldown,
        Duration idleEviction,
        int maxSites) {

    public ShapingConfig {
        if (defaults == null || sites == null || rules == null) {
            throw new IllegalArgumentException("defaults, sites and rules are required");
        }
        sites = Map.copyOf(sites);
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

    /** The configured limits of a site: its own entry, else the defaults. */
    public SiteLimits limitsFor(String site) {
        return sites.getOrDefault(site, defaults);
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
        }
    }
}
