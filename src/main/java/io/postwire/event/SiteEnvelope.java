package io.postwire.event;

import java.time.Instant;
import java.util.UUID;

/**
 * The envelope around a {@link SiteEvent}: the same CloudEvents attributes and schema version
 * as {@link EventEnvelope}, with the site as subject (and as record key on
 * {@code postwire.sites.v1}). A separate type rather than a widened {@code EventEnvelope} so
 * that every existing reader of {@code EventEnvelope.data()} keeps its per-recipient contract.
 */
public record SiteEnvelope(String id, String source, Instant time, int schemaVersion, SiteEvent data) {

    public SiteEnvelope {
        Require.text("id", id);
        Require.text("source", source);
        Require.present("time", time);
        Require.present("data", data);
    }

    public static SiteEnvelope of(String source, Instant time, SiteEvent data) {
        return new SiteEnvelope(UUID.randomUUID().toString(), source, time, EventType.CURRENT_SCHEMA_VERSION, data);
    }

    public SiteEventType type() {
        return SiteEventType.of(data);
    }

    public String subject() {
        return data.site();
    }
}
