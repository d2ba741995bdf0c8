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
    /** Deferred sends waiting for their next attempt, keyed like {@link #SEND}. */
    public static final String RETRY = "postwire.retry.v1";
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
                new Definition(RETRY, partitions, Map.of("retention.ms", "604800000",
                        "max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES))),
                new Definition(SITES, partitions, Map.of("retention.ms", THIRTY_DAYS_MS)),
                new Definition(DLQ, 1, Map.of("retention.ms", THIRTY_DAYS_MS,
                        "max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES))));
    }

    private Topics() {
    }
}
