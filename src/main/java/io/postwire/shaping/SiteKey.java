package io.postwire.shaping;

import java.util.Locale;

/**
 * Whose limits: a destination site (MX rollup from {@code io.postwire.mx.SiteNamer}) as seen
 * from one sending pool. Providers count per sending IP, so two pools sending to the same site
 * each get the site's full limits.
 */
public record SiteKey(String pool, String site) implements Comparable<SiteKey> {

    public static final String DEFAULT_POOL = "default";

    public SiteKey {
        pool = name("pool", pool);
        site = name("site", site);
    }

    /** The site as seen from the {@link #DEFAULT_POOL default pool}. */
    public static SiteKey of(String site) {
        return new SiteKey(DEFAULT_POOL, site);
    }

    @Override
    public int compareTo(SiteKey o) {
        int c = site.compareTo(o.site);
        return c != 0 ? c : pool.compareTo(o.pool);
    }

    @Override
    public String toString() {
        return site + "@" + pool;
    }

    private static String name(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is required");
        }
        // Lower-cased once here so that lookups never miss on case and the map holds one entry.
        return value.strip().toLowerCase(Locale.ROOT);
    }
}
