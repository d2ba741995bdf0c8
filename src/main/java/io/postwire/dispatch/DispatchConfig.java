package io.postwire.dispatch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/** How the dispatcher consumes, retries and gives up. */
@ConfigMapping(prefix = "postwire.dispatch")
public interface DispatchConfig {

    /** Run the dispatcher (and the retry forwarder) in this process. */
    @WithDefault("true")
    boolean enabled();

    /** Sends being worked on at once; the consumer pauses above it. */
    @WithName("max-in-flight")
    @WithDefault("1000")
    int maxInFlight();

    /** Give a send up as Expired this long after it was requested, unless it says otherwise. */
    @WithName("max-age")
    @WithDefault("P5D")
    Duration maxAge();

    /** Backoff after the first transient failure (Postfix waits 5 min too). */
    /**
     * Records each retry tier's forwarder holds while they wait; above it, that tier stops reading
     * until one is due. Each holds its message, so this bounds memory (10,000 × 5 KB ≈ 50 MB).
     */
    @WithName("retry-max-waiting")
    @WithDefault("10000")
    int retryMaxWaiting();

    @WithName("retry.initial")
    @WithDefault("PT5M")
    Duration retryInitial();

    /** Longest wait between two attempts. */
    @WithName("retry.max")
    @WithDefault("PT70M")
    Duration retryMax();

    @WithName("retry.multiplier")
    @WithDefault("2.0")
    double retryMultiplier();

    /** Relative jitter, 0.2 = ±20 %. */
    @WithName("retry.jitter")
    @WithDefault("0.2")
    double retryJitter();

    /** Max age of sends tagged {@code transactional} (without their own {@code expiresAt}). */
    @WithName("transactional-max-age")
    @WithDefault("P1D")
    Duration transactionalMaxAge();

    /*
     * Per failure kind, overriding retry.initial / retry.max (multiplier and jitter are shared).
     * Unset means the shared values, so existing configurations behave as before.
     */

    /** No reply (refused, timeout, DNS did not answer). */
    @WithName("retry.network.initial")
    Optional<Duration> retryNetworkInitial();

    @WithName("retry.network.max")
    Optional<Duration> retryNetworkMax();

    /** A 4xx reply. */
    @WithName("retry.reply.initial")
    Optional<Duration> retryReplyInitial();

    @WithName("retry.reply.max")
    Optional<Duration> retryReplyMax();

    /** Held back by our own shaping; parked sends normally come back when the site can take them. */
    @WithName("retry.throttled.initial")
    Optional<Duration> retryThrottledInitial();

    @WithName("retry.throttled.max")
    Optional<Duration> retryThrottledMax();

    /** TLS as required by policy could not be had. */
    @WithName("retry.tls.initial")
    Optional<Duration> retryTlsInitial();

    @WithName("retry.tls.max")
    Optional<Duration> retryTlsMax();

    /** Longest a send waits on a timer for its site's rate; above it the send is parked on the retry topic. */
    @WithName("shaping-max-wait")
    @WithDefault("PT5S")
    Duration shapingMaxWait();

    /** Name used in EHLO; should resolve to the sending IP and match its PTR record. */
    @WithName("helo-name")
    @WithDefault("localhost")
    String heloName();

    default RetryPolicy retryPolicy() {
        return new RetryPolicy(retryInitial(), retryMax(), retryMultiplier(), retryJitter());
    }
}
