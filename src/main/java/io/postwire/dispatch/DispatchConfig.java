package io.postwire.dispatch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;

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

    /** Name used in EHLO; should resolve to the sending IP and match its PTR record. */
    @WithName("helo-name")
    @WithDefault("localhost")
    String heloName();

    default RetryPolicy retryPolicy() {
        return new RetryPolicy(retryInitial(), retryMax(), retryMultiplier(), retryJitter());
    }
}
