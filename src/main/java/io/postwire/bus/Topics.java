package io.postwire.bus;

import java.util.List;
import java.util.Map;

/**
 * The topics Postwire owns, with the settings they are created with. {@code kafka/topics.yaml}
 * documents the same definitions for operators who create topics themselves.
 */
public final class Topics {

    /** Send requests and due retries; keyed by destination site so one consumer owns a site. */
    public static final String SEND = "postwire.send.v1";
    /** Every fact about every send, keyed by recipient address. */
    public static final String EVENTS = "postwire.events.v1";
    /**
     * Deferred and parked sends waiting for their next attempt, keyed like {@link #SEND}: the tier
     * for waits under a minute. Longer waits go to {@link #RETRY_15M}, {@link #RETRY_2H} and
     * {@link #RETRY_LONG} ({@link #retryTopicFor}), so that a record waiting hours never holds up
     * one due in seconds: each tier is read by its own forwarder with its own in-flight bound,
     * and within a tier waits are of the same order.
     */
    public static final String RETRY = "postwire.retry.v1";
    /** Waits from one to 15 minutes (the first retries after a 4xx). */
    public static final String RETRY_15M = "postwire.retry.15m.v1";
    /** Waits from 15 minutes to 2 hours (later retries, sites suspended for an hour). */
    public static final String RETRY_2H = "postwire.retry.2h.v1";
    /** Waits of 2 hours or more (long suspensions, sends parked until they expire). */
    public static final String RETRY_LONG = "postwire.retry.long.v1";
    /** Every retry tier, shortest first. */
    public static final List<String> RETRY_TIERS = List.of(RETRY, RETRY_15M, RETRY_2H, RETRY_LONG);

    /** The retry tier for a wait of {@code delay}. */
    public static String retryTopicFor(java.time.Duration delay) {
        long seconds = delay.getSeconds();
        if (seconds < 60) {
            return RETRY;
        } else if (seconds < 15 * 60) {
            return RETRY_15M;
        } else if (seconds < 2 * 3600) {
            return RETRY_2H;
        }
        return RETRY_LONG;
    }
    /**
     * Site throttles, suspensions and resumptions ({@code io.postwire.event.SiteEvent}), keyed by
     * site so that one site's changes stay in order on one partition. Small and operational: why
     * mail to a site is waiting, not part of any recipient's story.
     */
    public static final String SITES = "postwire.sites.v1";
    /** Records nobody could read, with the reason in headers; keyed like the original. */
    public static final String DLQ = "postwire.dlq.v1";

    /**
     * Largest record on the send and retry topics: above ingest's default content limit (5 MiB)
     * plus envelope overhead.
     */
    public static final int MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

    /** Header names on dead-letter records. */
    public static final String H_REASON = "postwire-dlq-reason";
    public static final String H_ORIGIN_TOPIC = "postwire-dlq-topic";
    public static final String H_ORIGIN_PARTITION = "postwire-dlq-partition";
    public static final String H_ORIGIN_OFFSET = "postwire-dlq-offset";
    public static final String H_CONSUMER = "postwire-dlq-consumer";

    /** One topic's definition. */
    public record Definition(String name, int partitions, Map<String, String> configs) {
    }

    private static final String THIRTY_DAYS_MS = Long.toString(30L * 24 * 3600 * 1000);

    /** Events are the source of truth for projections, so they are kept long enough to replay. */
    public static List<Definition> all(int partitions) {
        return List.of(
                new Definition(SEND, partitions, Map.of("retention.ms", "604800000",
                        "max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES))),
                new Definition(EVENTS, partitions, Map.of("retention.ms", "-1")),
                retry(RETRY, partitions),
                retry(RETRY_15M, partitions),
                retry(RETRY_2H, partitions),
                retry(RETRY_LONG, partitions),
                new Definition(SITES, partitions, Map.of("retention.ms", THIRTY_DAYS_MS)),
                new Definition(DLQ, 1, Map.of("retention.ms", THIRTY_DAYS_MS,
                        "max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES))));
    }

    /** Seven days: longer than the longest wait (a send's maximum age, 5 days by default). */
    private static Definition retry(String name, int partitions) {
        return new Definition(name, partitions, Map.of("retention.ms", "604800000",
                "max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES)));
    }

    private Topics() {
    }
}
