package io.postwire.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The documented samples must keep deserialising forever; bad input gets a precise reason. */
class EventCodecTest {

    private final EventCodec codec = new EventCodec();

    @ParameterizedTest
    @CsvSource({
        "send-requested.json, SendRequested", "retry-scheduled.json, RetryScheduled", "delivered.json, Delivered",
        "deferred.json, Deferred", "bounced.json, Bounced", "rejected.json, Rejected", "expired.json, Expired",
        "complained.json, Complained"})
    void documentedSamplesDeserialiseAndRoundTrip(String file, String type) throws Exception {
        byte[] json = Files.readAllBytes(Path.of("kafka", "samples", file));
        EventEnvelope e = codec.read(json);
        assertEquals(type, e.data().getClass().getSimpleName());
        assertEquals(1, e.schemaVersion());
        assertEquals(e, codec.read(codec.write(e)), "write then read must give the same event");
    }

    @ParameterizedTest
    @CsvSource({"site-throttled.json, SiteThrottled", "site-suspended.json, SiteSuspended",
        "site-resumed.json, SiteResumed"})
    void documentedSiteSamplesDeserialiseAndRoundTrip(String file, String type) throws Exception {
        byte[] json = Files.readAllBytes(Path.of("kafka", "samples", file));
        SiteEnvelope e = codec.readSite(json);
        assertEquals(type, e.data().getClass().getSimpleName());
        assertEquals("outlook", e.subject());
        assertEquals(e, codec.readSite(codec.write(e)), "write then read must give the same event");
    }

    @Test
    void siteEventsCarryTheSiteAsSubjectAndLimitsInConfigNotation() {
        SiteLimits limits = new SiteLimits(2, SiteLimits.Rate.parse("10/min"), 20, SiteLimits.Rate.parse("300/h")
                .times(0.25), 1000);
        SiteThrottled t = new SiteThrottled("yahoo", "ip-2", "rule yahoo-tss04 matched", "yahoo-tss04",
                SmtpReply.parse(421, "4.7.0 [TSS04] deferred"), limits, Instant.parse("2026-11-27T10:05:00Z"), false);
        String json = new String(codec.write(new SiteEnvelope("id-2", "test", Instant.parse("2026-11-27T10:00:00Z"), 1,
                t)), StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"specversion\":\"1.0\",\"id\":\"id-2\",\"source\":\"test\","
                + "\"type\":\"io.postwire.SiteThrottled\",\"time\":\"2026-11-27T10:00:00Z\","
                + "\"subject\":\"yahoo\","), json);
        assertTrue(json.contains("\"limits\":{\"maxConnections\":2,\"connectionRate\":\"10/min\","
                + "\"messagesPerConnection\":20,\"messageRate\":\"75/h\",\"dailyCap\":1000}"), json);
        assertEquals(t, codec.readSite(json.getBytes(StandardCharsets.UTF_8)).data());
    }

    @Test
    void eachFamilyIsRefusedOnTheOtherFamilysTopic() throws Exception {
        byte[] site = Files.readAllBytes(Path.of("kafka", "samples", "site-resumed.json"));
        MalformedEventException e = assertThrows(MalformedEventException.class, () -> codec.read(site));
        assertTrue(e.getMessage().contains("belongs on postwire.sites.v1"), e.getMessage());
        byte[] story = Files.readAllBytes(Path.of("kafka", "samples", "delivered.json"));
        e = assertThrows(MalformedEventException.class, () -> codec.readSite(story));
        assertTrue(e.getMessage().contains("io.postwire.Delivered is not a site event"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"specversion\":\"1.0\",\"type\":\"io.postwire.SiteResumed\",\"schemaversion\":1,\"data\":{\"site\":\"outlook\",\"pool\":\"default\",\"reason\":\"r\",\"manual\":false}}|limits is required",
        "{\"specversion\":\"1.0\",\"type\":\"io.postwire.SiteSuspended\",\"schemaversion\":1,\"data\":{\"site\":\"outlook\",\"pool\":\"default\",\"reason\":\"r\",\"manual\":false,\"limits\":{\"maxConnections\":1,\"connectionRate\":\"1/s\",\"messagesPerConnection\":1,\"messageRate\":\"1/s\",\"dailyCap\":0}}}|until is required",
        "{\"specversion\":\"1.0\",\"type\":\"io.postwire.SiteResumed\",\"schemaversion\":1,\"data\":{\"site\":\"outlook\",\"pool\":\"default\",\"reason\":\"r\",\"manual\":false,\"limits\":{\"maxConnections\":1,\"connectionRate\":\"fast\",\"messagesPerConnection\":1,\"messageRate\":\"1/s\",\"dailyCap\":0}}}|rate must look like"})
    void malformedSiteRecordsAreRefusedWithAReason(String caseLine) {
        String[] parts = caseLine.split("\\|");
        MalformedEventException e = assertThrows(MalformedEventException.class,
                () -> codec.readSite(parts[0].getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains(parts[1]), "reason was: " + e.getMessage());
    }

    @Test
    void writesTheCloudEventsAttributes() {
        SendRequested s = new SendRequested("m1", "m1.1", "a@example.test", "b@dest.test", null, List.of("b@dest.test"),
                null, "Hi", "text", null, null, Map.of(), List.of(), null, Instant.parse("2026-11-27T10:00:00Z"), null);
        String json = new String(codec.write(new EventEnvelope("id-1", "test", Instant.parse("2026-11-27T10:00:01Z"), 1, s)),
                StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"specversion\":\"1.0\",\"id\":\"id-1\",\"source\":\"test\","
                + "\"type\":\"io.postwire.SendRequested\",\"time\":\"2026-11-27T10:00:01Z\",\"subject\":\"m1.1\","
                + "\"datacontenttype\":\"application/json\",\"schemaversion\":1,\"data\":{"), json);
        assertTrue(json.contains("\"requestedAt\":\"2026-11-27T10:00:00Z\""), json);
    }

    @Test
    void smtpReplyJsonCarriesOnlyItsFields() {
        Delivered d = new Delivered("m", "m.1", "a@example.test", "b@dest.test", 1, SmtpReply.parse(250, "2.0.0 ok"),
                "relay:25", false, Instant.EPOCH);
        String json = new String(codec.write(EventEnvelope.of("t", Instant.EPOCH, d)), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"reply\":{\"code\":250,\"enhancedCode\":\"2.0.0\",\"text\":\"ok\"}"), json);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "not json|not JSON",
        "[]|envelope must be a JSON object",
        "{\"specversion\":\"0.3\"}|unsupported specversion: 0.3",
        "{\"specversion\":\"1.0\",\"type\":\"io.postwire.Nope\"}|unknown event type: io.postwire.Nope",
        "{\"specversion\":\"1.0\",\"type\":\"io.postwire.Delivered\",\"schemaversion\":9,\"data\":{}}|unsupported schemaversion 9",
        "{\"specversion\":\"1.0\",\"type\":\"io.postwire.Delivered\",\"schemaversion\":1}|data must be a JSON object",
        "{\"specversion\":\"1.0\",\"type\":\"io.postwire.Rejected\",\"schemaversion\":1,\"data\":{\"messageId\":\"m\",\"recipientId\":\"r\",\"sender\":\"a@b.test\",\"recipient\":\"not-an-address\",\"reason\":\"SUPPRESSED\"}}|recipient is not a valid address"})
    void malformedRecordsAreRefusedWithAReason(String caseLine) {
        String[] parts = caseLine.split("\\|");
        MalformedEventException e = assertThrows(MalformedEventException.class,
                () -> codec.read(parts[0].getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains(parts[1]), "reason was: " + e.getMessage());
    }

    @Test
    void crlfInAHeaderValueIsRefusedAtConstruction() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SendRequested("m", "m.1",
                "a@example.test", "b@dest.test", null, List.of(), null, "Hi\r\nBcc: x@evil.test", "t", null, null,
                Map.of(), List.of(), null, Instant.EPOCH, null));
        assertEquals("subject must not contain CR or LF", e.getMessage());
    }

    @Test
    void smtpReplyParsesTheEnhancedCodeOnlyWhenItsClassMatches() {
        assertEquals(new SmtpReply(550, "5.1.1", "no such user"), SmtpReply.parse(550, "5.1.1 no such user"));
        assertEquals(new SmtpReply(550, null, "4.1.1 odd"), SmtpReply.parse(550, "4.1.1 odd"));
        assertInstanceOf(SmtpReply.class, SmtpReply.parse(250, ""));
        assertEquals("451 4.7.650 rate limited", SmtpReply.parse(451, "4.7.650 rate limited").toString());
    }
}
