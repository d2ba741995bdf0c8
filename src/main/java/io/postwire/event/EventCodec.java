package io.postwire.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;
import java.time.Instant;

/**
 * Reads and writes the JSON form of {@link EventEnvelope} and {@link SiteEnvelope}, the wire
 * contract described in {@code docs/events.md} and {@code kafka/schemas/}. Reading is strict about the envelope
 * (specversion, known type, supported schema version) and lenient about unknown payload fields,
 * so older readers survive newer, additive writers.
 */
public final class EventCodec {

    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/json";

    private final ObjectMapper mapper = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    public byte[] write(EventEnvelope envelope) {
        return write(envelope.id(), envelope.source(), envelope.type().typeName(), envelope.time(),
                envelope.subject(), envelope.schemaVersion(), envelope.data());
    }

    /** Writes a site event in the same envelope form; it belongs on {@code postwire.sites.v1}. */
    public byte[] write(SiteEnvelope envelope) {
        return write(envelope.id(), envelope.source(), envelope.type().typeName(), envelope.time(),
                envelope.subject(), envelope.schemaVersion(), envelope.data());
    }

    /** @throws MalformedEventException with a reason fit for the dead-letter topic */
    public EventEnvelope read(byte[] json) {
        Header h = header(json);
        EventType type = EventType.byName(h.typeName()).orElseThrow(() -> new MalformedEventException(
                SiteEventType.byName(h.typeName()).isPresent()
                        ? h.typeName() + " is a site event; it belongs on postwire.sites.v1, not a send or events topic"
                        : "unknown event type: " + h.typeName()));
        PostwireEvent event = data(h, type.javaType());
        Instant time = h.time();
        try {
            return new EventEnvelope(h.id(), h.source(), time, h.schemaVersion(), event);
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException("invalid envelope: " + e.getMessage(), e);
        }
    }

    /** Reads a record of {@code postwire.sites.v1}. @throws MalformedEventException as {@link #read} */
    public SiteEnvelope readSite(byte[] json) {
        Header h = header(json);
        SiteEventType type = SiteEventType.byName(h.typeName()).orElseThrow(() -> new MalformedEventException(
                EventType.byName(h.typeName()).isPresent()
                        ? h.typeName() + " is not a site event; only site events belong on postwire.sites.v1"
                        : "unknown event type: " + h.typeName()));
        SiteEvent event = data(h, type.javaType());
        Instant time = h.time();
        try {
            return new SiteEnvelope(h.id(), h.source(), time, h.schemaVersion(), event);
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException("invalid envelope: " + e.getMessage(), e);
        }
    }

    private byte[] write(String id, String source, String typeName, Instant time, String subject, int schemaVersion,
            Object data) {
        ObjectNode root = mapper.createObjectNode();
        root.put("specversion", SPEC_VERSION);
        root.put("id", id);
        root.put("source", source);
        root.put("type", typeName);
        root.put("time", time.toString());
        root.put("subject", subject);
        root.put("datacontenttype", CONTENT_TYPE);
        root.put("schemaversion", schemaVersion);
        root.set("data", mapper.valueToTree(data));
        try {
            return mapper.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + typeName, e);
        }
    }

    /** The envelope attributes both event families share, checked in the order readers always have. */
    private record Header(String typeName, int schemaVersion, JsonNode data, JsonNode root) {

        String id() {
            return text(root, "id");
        }

        String source() {
            return text(root, "source");
        }

        Instant time() {
            try {
                return Instant.parse(text(root, "time"));
            } catch (RuntimeException e) {
                throw new MalformedEventException("time must be an RFC 3339 UTC timestamp", e);
            }
        }
    }

    private Header header(byte[] json) {
        if (json == null || json.length == 0) {
            throw new MalformedEventException("empty record value");
        }
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (IOException e) {
            throw new MalformedEventException("not JSON: " + firstLine(e.getMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw new MalformedEventException("envelope must be a JSON object");
        }
        String spec = text(root, "specversion");
        if (!SPEC_VERSION.equals(spec)) {
            throw new MalformedEventException("unsupported specversion: " + spec);
        }
        String typeName = text(root, "type");
        if (EventType.byName(typeName).isEmpty() && SiteEventType.byName(typeName).isEmpty()) {
            throw new MalformedEventException("unknown event type: " + typeName);
        }
        JsonNode version = root.get("schemaversion");
        if (version == null || !version.canConvertToInt()) {
            throw new MalformedEventException("schemaversion is required and must be an integer");
        }
        int schemaVersion = version.intValue();
        if (schemaVersion < 1 || schemaVersion > EventType.CURRENT_SCHEMA_VERSION) {
            throw new MalformedEventException("unsupported schemaversion " + schemaVersion + " for " + typeName);
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isObject()) {
            throw new MalformedEventException("data must be a JSON object");
        }
        // Callers read the payload before time, id and source, as this codec always has.
        return new Header(typeName, schemaVersion, data, root);
    }

    private <T> T data(Header h, Class<T> javaType) {
        T event;
        try {
            event = mapper.treeToValue(h.data(), javaType);
        } catch (ValueInstantiationException e) {
            // The compact constructor's message names the offending field.
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new MalformedEventException("invalid " + h.typeName() + ": " + cause.getMessage(), e);
        } catch (IOException e) {
            throw new MalformedEventException("invalid " + h.typeName() + ": " + firstLine(e.getMessage()), e);
        }
        return event;
    }

    /** Exposed for payloads that are not events (API bodies reuse the same conventions). */
    public ObjectMapper mapper() {
        return mapper;
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual()) {
            throw new MalformedEventException(field + " is required and must be a string");
        }
        return n.textValue();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
