package io.postwire.event;

import java.time.Instant;
import java.util.UUID;

/**
 * The versioned envelope around every event: the CloudEvents 1.0 attributes (id, source, type,
 * time, subject) plus our {@code schemaversion}. The subject is the recipient id, so any reader
 * can group a story without understanding the payload.
 *
 * @param id unique per event; projections use it to recognise a redelivered event
 * @param source the Postwire role (or outside producer) that recorded the fact
 */
public record EventEnvelope(String id, String source, Instant time, int schemaVersion, PostwireEvent data) {

    public EventEnvelope {
        Require.text("id", id);
        Require.text("source", source);
        Require.present("time", time);
        Require.present("data", data);
    }

    public static EventEnvelope of(String source, Instant time, PostwireEvent data) {
        return new EventEnvelope(UUID.randomUUID().toString(), source, time, EventType.CURRENT_SCHEMA_VERSION, data);
    }

    public EventType type() {
        return EventType.of(data);
    }

    public String subject() {
        return data.recipientId();
    }
}
