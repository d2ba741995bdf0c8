package io.postwire.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JSON Schemas in {@code kafka/schemas/} are the contract for outside producers and readers:
 * the samples must satisfy them, everything {@link EventCodec} writes must satisfy them, and
 * they must refuse what the codec refuses.
 */
class SchemaContractTest {

    private static final String BASE = "https://postwire.dev/schemas/kafka/";
    private static final JsonSchema ENVELOPE = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                    b -> b.schemaMappers(m -> m.mapPrefix(BASE, Path.of("kafka", "schemas").toUri().toString())))
            .getSchema(SchemaLocation.of(BASE + "envelope.schema.json"));

    private final ObjectMapper json = new ObjectMapper();
    private final EventCodec codec = new EventCodec();

    static Stream<Path> samples() throws Exception {
        return Files.list(Path.of("kafka", "samples")).filter(p -> p.toString().endsWith(".json")).sorted();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void samplesSatisfyTheSchemas(Path sample) throws Exception {
        assertEquals(Set.of(), ENVELOPE.validate(json.readTree(sample.toFile())));
    }

    static Stream<PostwireEvent> events() {
        Instant t = Instant.parse("2026-11-27T10:00:00Z");
        SendRequested s = new SendRequested("m", "m.1", "a@example.test", "b@dest.test", "A", List.of("b@dest.test"),
                List.of("c@dest.test"), "Hi", "text", "<p>x</p>", null, Map.of("X-A", "1"), List.of("t"), "k", t,
                t.plusSeconds(60));
        SmtpReply ok = SmtpReply.parse(250, "2.0.0 ok");
        SmtpReply later = SmtpReply.parse(451, "4.3.0 later");
        return Stream.of(s,
                new SendRequested("m", "m.2", "a@example.test", "b@dest.test", null, null, null, null, null, null,
                        "Subject: raw\r\n\r\nbody\r\n", null, null, null, t, null),
                new RetryScheduled(s, 2, t),
                new Delivered("m", "m.1", "a@example.test", "b@dest.test", 1, ok, "relay:25", true, t),
                new Deferred("m", "m.1", "a@example.test", "b@dest.test", 1, later, null, "relay:25", t),
                new Deferred("m", "m.1", "a@example.test", "b@dest.test", 1, null, "connection refused", null, t),
                new Bounced("m", "m.1", "a@example.test", "b@dest.test", 1, SmtpReply.parse(550, "5.1.1 no"), "r",
                        BounceClass.INVALID_RECIPIENT),
                new Bounced("m", "m.1", "a@example.test", "b@dest.test", 1, SmtpReply.parse(550, "5.1.1 no"), null,
                        BounceClass.INVALID_RECIPIENT, Bounced.SOURCE_DSN),
                new Complained("m", "m.1", "a@example.test", "b@dest.test", "abuse", "FBL/1.0", "192.0.2.1", t,
                        "fbl.dest.test"),
                new Complained("m", "m.1", "a@example.test", "b@dest.test", "not-spam", "FBL/1.0", null, null, null),
                new Rejected("m", "m.1", "a@example.test", "b@dest.test", Rejected.Reason.SUPPRESSED, "why"),
                new Expired("m", "m.1", "a@example.test", "b@dest.test", 3, later, null, t));
    }

    @ParameterizedTest
    @MethodSource("events")
    void whatTheCodecWritesSatisfiesTheSchemas(PostwireEvent event) throws Exception {
        JsonNode written = json.readTree(codec.write(EventEnvelope.of("test", Instant.now(), event)));
        assertEquals(Set.of(), ENVELOPE.validate(written), written.toString());
    }

    static Stream<SiteEvent> siteEvents() {
        Instant t = Instant.parse("2026-11-27T10:00:00Z");
        SiteLimits limits = new SiteLimits(5, SiteLimits.Rate.parse("20/min"), 50,
                SiteLimits.Rate.parse("1200/h").times(1 / 3.0), 0);
        SmtpReply busy = SmtpReply.parse(451, "4.7.500 Server busy");
        return Stream.of(
                new SiteThrottled("outlook", "default", "rule x matched", "x", busy, limits, t, false),
                new SiteThrottled("outlook", "ip-2", "ramp step", null, null, limits, t, false),
                new SiteSuspended("outlook", "default", "rule y matched", "y", busy, limits, t, false),
                new SiteSuspended("example.co.uk", "default", "operator: maintenance", null, null, limits, t, true),
                new SiteResumed("gmail", "default", "suspension ended", limits, false),
                new SiteResumed("gmail", "default", "operator: resumed", limits, true));
    }

    @ParameterizedTest
    @MethodSource("siteEvents")
    void whatTheCodecWritesForSitesSatisfiesTheSchemas(SiteEvent event) throws Exception {
        JsonNode written = json.readTree(codec.write(SiteEnvelope.of("test", Instant.now(), event)));
        assertEquals(Set.of(), ENVELOPE.validate(written), written.toString());
    }

    @Test
    void theSiteSchemaRefusesWhatTheCodecRefuses() throws Exception {
        ObjectNode sample = (ObjectNode) json.readTree(Path.of("kafka", "samples", "site-throttled.json").toFile());
        ((ObjectNode) sample.get("data").get("limits")).put("messageRate", "lots");
        assertFalse(ENVELOPE.validate(sample).isEmpty(), "schema accepted a bad rate");
        org.junit.jupiter.api.Assertions.assertThrows(MalformedEventException.class,
                () -> codec.readSite(json.writeValueAsBytes(sample)));
        ObjectNode noUntil = (ObjectNode) json.readTree(Path.of("kafka", "samples", "site-suspended.json").toFile());
        ((ObjectNode) noUntil.get("data")).remove("until");
        assertFalse(ENVELOPE.validate(noUntil).isEmpty(), "schema accepted a suspension without an end");
        org.junit.jupiter.api.Assertions.assertThrows(MalformedEventException.class,
                () -> codec.readSite(json.writeValueAsBytes(noUntil)));
    }

    @Test
    void theSchemaRefusesWhatTheCodecRefuses() throws Exception {
        ObjectNode sample = (ObjectNode) json.readTree(Path.of("kafka", "samples", "send-requested.json").toFile());
        ((ObjectNode) sample.get("data")).put("recipient", "not-an-address");
        Set<ValidationMessage> errors = ENVELOPE.validate(sample);
        assertFalse(errors.isEmpty(), "schema accepted an invalid recipient");
        org.junit.jupiter.api.Assertions.assertThrows(MalformedEventException.class,
                () -> codec.read(json.writeValueAsBytes(sample)));
    }
}
