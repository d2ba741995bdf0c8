package io.postwire.mtasts;

import io.vertx.core.net.TrustOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link MtaStsResolver} fetches and keeps policies.
 *
 * @param fetchTimeout     limit for one policy fetch, connect to last byte; RFC 8461 §3.3
 *                         suggests about a minute
 * @param maxPolicyBytes   a longer policy file is rejected (§3.3 suggests 64 KiB)
 * @param maxCachedDomains how many domains' policies are kept before the least recently used goes
 * @param recheckInterval  how long a cached policy is used without asking DNS whether its id
 *                         changed; zero asks on every lookup. Bounds the TXT queries per domain
 *                         while keeping an id change (a new policy) visible within this time
 * @param httpsPort        the port of {@code mta-sts.<domain>}: 443, other values only for tests
 * @param trust            trust anchors for the policy hosts' certificates; empty means the JVM's
 *                         (WebPKI, §3.3); tests inject their own CA
 */
public record MtaStsSettings(Duration fetchTimeout, int maxPolicyBytes, int maxCachedDomains,
        Duration recheckInterval, int httpsPort, Optional<TrustOptions> trust) {

    public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_POLICY_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_CACHED_DOMAINS = 10_000;
    public static final Duration DEFAULT_RECHECK_INTERVAL = Duration.ofMinutes(5);

    public MtaStsSettings {
        Objects.requireNonNull(fetchTimeout, "fetchTimeout");
        if (fetchTimeout.isZero() || fetchTimeout.isNegative()) {
            throw new IllegalArgumentException("fetchTimeout must be positive: " + fetchTimeout);
        }
        if (maxPolicyBytes < 64) {
            throw new IllegalArgumentException("maxPolicyBytes too small: " + maxPolicyBytes);
        }
        if (maxCachedDomains < 1) {
            throw new IllegalArgumentException("maxCachedDomains must be at least 1: " + maxCachedDomains);
        }
        Objects.requireNonNull(recheckInterval, "recheckInterval");
        if (recheckInterval.isNegative()) {
            throw new IllegalArgumentException("recheckInterval must not be negative: " + recheckInterval);
        }
        if (httpsPort < 1 || httpsPort > 65535) {
            throw new IllegalArgumentException("httpsPort must be 1..65535: " + httpsPort);
        }
        Objects.requireNonNull(trust, "trust");
    }

    /** The defaults: 60 s fetch, 64 KiB, 10,000 domains, TXT rechecked after 5 min, port 443, JVM trust. */
    public static MtaStsSettings defaults() {
        return new MtaStsSettings(DEFAULT_FETCH_TIMEOUT, DEFAULT_MAX_POLICY_BYTES, DEFAULT_MAX_CACHED_DOMAINS,
                DEFAULT_RECHECK_INTERVAL, 443, Optional.empty());
    }

    public MtaStsSettings withFetchTimeout(Duration timeout) {
        return new MtaStsSettings(timeout, maxPolicyBytes, maxCachedDomains, recheckInterval, httpsPort, trust);
    }

    public MtaStsSettings withRecheckInterval(Duration interval) {
        return new MtaStsSettings(fetchTimeout, maxPolicyBytes, maxCachedDomains, interval, httpsPort, trust);
    }

    /** For tests: policy hosts on another port, trusted by {@code anchors}. */
    public MtaStsSettings withPolicyServer(int port, TrustOptions anchors) {
        return new MtaStsSettings(fetchTimeout, maxPolicyBytes, maxCachedDomains, recheckInterval, port,
                Optional.of(anchors));
    }
}
