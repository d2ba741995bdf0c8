package io.postwire.doors;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.bus.Topics;
import io.postwire.event.BounceClass;
import io.postwire.event.Bounced;
import io.postwire.event.Complained;
import io.postwire.event.EventCodec;
import io.postwire.event.EventEnvelope;
import io.postwire.inbound.InboundServer;
import io.postwire.testsupport.DeliveryTestResource;
import io.postwire.testsupport.PostwireInfra;
import io.postwire.testsupport.ReceivedMessage;
import io.postwire.testsupport.Swaks;
import io.postwire.testsupport.TopicTap;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inbound door end to end: a message goes out with its signed return path; a DSN sent back
 * to that address becomes a Bounced (source dsn) that suppresses the recipient; an ARF complaint
 * to the feedback address becomes Complained and suppresses; anything else is refused or
 * dead-lettered whole.
 */
@QuarkusTest
@QuarkusTestResource(DeliveryTestResource.class)
class InboundDoorTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String FBL = "fbl@" + DeliveryTestResource.BOUNCE_DOMAIN;

    @Inject
    InboundServer inbound;

    private final EventCodec codec = new EventCodec();

    /** Sends one message through the API and waits until it is delivered and on its timeline. */
    private Sent deliver(String recipient) {
        String recipientId = given().auth().oauth2(DeliveryTestResource.API_KEY).contentType(ContentType.JSON)
                .body(Map.of("from", "news@example.test", "to", List.of(recipient), "subject", "hello",
                        "text", "body"))
                .post("/api/v1/messages").then().statusCode(202).extract().path("recipients[0].recipientId");
        ReceivedMessage m = DeliveryTestResource.smtp().awaitMessageFor(recipient, WAIT);
        String messageId = recipientId.substring(0, recipientId.lastIndexOf('.'));
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/messages/" + messageId).then().statusCode(200)
                .body("recipients[0].status", equalTo("delivered")));
        return new Sent(recipient, recipientId, messageId, m);
    }

    private record Sent(String recipient, String recipientId, String messageId, ReceivedMessage relayed) {
        String headers() {
            String all = new String(relayed.data(), StandardCharsets.UTF_8);
            return all.substring(0, all.indexOf("\r\n\r\n") + 2);
        }
    }

    @Test
    void aDsnToTheReturnPathBouncesTheSendAndSuppressesTheRecipient(@TempDir Path tmp) throws Exception {
        Sent sent = deliver("gone-" + UUID.randomUUID().toString().substring(0, 8) + "@dest.test");
        String returnPath = sent.relayed().mailFrom();
        String dsn = "From: MAILER-DAEMON@mx.dest.test\r\nTo: " + returnPath + "\r\n"
                + "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n"
                + "--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
                + "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
                + "Reporting-MTA: dns; mx.dest.test\r\n\r\n"
                + "Final-Recipient: rfc822; " + sent.recipient() + "\r\nAction: failed\r\nStatus: 5.1.1\r\n"
                + "Remote-MTA: dns; store.dest.test\r\n"
                + "Diagnostic-Code: smtp; 550 5.1.1 <" + sent.recipient() + ">: Recipient address rejected: User unknown\r\n\r\n"
                + "--b1\r\nContent-Type: text/rfc822-headers\r\n\r\n" + sent.headers()
                + "--b1--";
        Swaks.Result r = Swaks.run(inbound.port(), "--from", "<>", "--to", returnPath, "--data", "@" + file(tmp, dsn));
        assertEquals(0, r.exit(), r.output());

        try (TopicTap events = tap(Topics.EVENTS)) {
            Bounced b = (Bounced) codec.read(events.await(x -> is(x, Bounced.class, sent.recipientId()), WAIT).value()).data();
            assertEquals("dsn", b.source());
            assertEquals(550, b.reply().code());
            assertEquals("5.1.1", b.reply().enhancedCode());
            assertEquals(BounceClass.INVALID_RECIPIENT, b.bounceClass());
            assertEquals(sent.recipient(), b.recipient());
        }
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/suppressions/" + sent.recipient()).then().statusCode(200)
                .body("reason", equalTo("hard-bounce")));
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/messages/" + sent.messageId()).then().statusCode(200)
                .body("recipients[0].status", equalTo("bounced")));
    }

    @Test
    void anArfComplaintBecomesComplainedAndSuppressesTheRecipient(@TempDir Path tmp) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Sent sent = deliver("angry-" + run + "@cx-" + run + ".test");
        // Like Microsoft JMRP: the recipient is redacted; the returned message still has our tracking header.
        String arf = "From: staff@hotmail.example\r\nTo: " + FBL + "\r\nSubject: complaint about message\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: multipart/report; report-type=feedback-report; boundary=\"arf\"\r\n\r\n"
                + "--arf\r\nContent-Type: text/plain\r\n\r\nThis is an email abuse report.\r\n"
                + "--arf\r\nContent-Type: message/feedback-report\r\n\r\n"
                + "Feedback-Type: abuse\r\nUser-Agent: JMRP-like/1.0\r\nVersion: 1\r\n"
                + "Source-IP: 192.0.2.10\r\nArrival-Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n\r\n"
                + "--arf\r\nContent-Type: message/rfc822\r\n\r\n"
                + sent.headers().replace(sent.recipient(), "<redacted>") + "\r\nbody\r\n"
                + "--arf--";
        Swaks.Result r = Swaks.run(inbound.port(), "--from", "<>", "--to", FBL, "--data", "@" + file(tmp, arf));
        assertEquals(0, r.exit(), r.output());

        try (TopicTap events = tap(Topics.EVENTS)) {
            Complained c = (Complained) codec.read(events.await(x -> is(x, Complained.class, sent.recipientId()), WAIT)
                    .value()).data();
            assertEquals("abuse", c.feedbackType());
            assertEquals(sent.recipient(), c.recipient());
        }
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/suppressions/" + sent.recipient()).then().statusCode(200)
                .body("reason", equalTo("complaint")));
        // Reputation: one delivered message, one complaint about it.
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/reputation/domains/cx-" + run + ".test").then().statusCode(200)
                .body("asRecipientDomain.totals.delivered", equalTo(1))
                .body("asRecipientDomain.totals.complained", equalTo(1))
                .body("asRecipientDomain.rates.complaint", equalTo(1.0f)));
    }

    @Test
    void mailForAnyoneElseIsRefused() {
        Swaks.Result relay = Swaks.run(inbound.port(), "--from", "spammer@evil.test", "--to", "victim@dest.test");
        assertNotEquals(0, relay.exit());
        assertTrue(relay.output().contains("550 5.7.1"), relay.output());

        Swaks.Result unknown = Swaks.run(inbound.port(), "--from", "<>", "--to",
                "nobody@" + DeliveryTestResource.BOUNCE_DOMAIN);
        assertTrue(unknown.output().contains("550 5.1.1"), unknown.output());

        // A token that does not verify (one character changed) is nobody.
        Swaks.Result forged = Swaks.run(inbound.port(), "--from", "<>", "--to",
                "b+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@" + DeliveryTestResource.BOUNCE_DOMAIN);
        assertTrue(forged.output().contains("550 5.1.1"), forged.output());
    }

    @Test
    void somethingThatIsNoReportIsDeadLetteredWhole(@TempDir Path tmp) throws Exception {
        String tag = UUID.randomUUID().toString();
        String text = "From: someone@example.org\r\nTo: " + FBL + "\r\nSubject: hi " + tag + "\r\n\r\nJust chatting.";
        Swaks.Result r = Swaks.run(inbound.port(), "--from", "someone@example.org", "--to", FBL,
                "--data", "@" + file(tmp, text));
        assertEquals(0, r.exit(), r.output());
        try (TopicTap dlq = tap(Topics.DLQ)) {
            ConsumerRecord<String, byte[]> rec = dlq.await(x -> new String(x.value(), StandardCharsets.UTF_8).contains(tag), WAIT);
            String reason = new String(rec.headers().lastHeader(Topics.H_REASON).value(), StandardCharsets.UTF_8);
            assertTrue(reason.startsWith("not a delivery or feedback report"), reason);
            assertArrayEquals((text + "\r\n").getBytes(StandardCharsets.UTF_8), rec.value());
        }
    }

    private static Path file(Path dir, String content) throws Exception {
        Path f = dir.resolve(UUID.randomUUID() + ".eml");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    private static TopicTap tap(String topic) {
        return new TopicTap(PostwireInfra.config().get("kafka.bootstrap.servers"), topic);
    }

    private boolean is(ConsumerRecord<String, byte[]> r, Class<?> type, String id) {
        try {
            EventEnvelope e = codec.read(r.value());
            return type.isInstance(e.data()) && e.data().recipientId().equals(id);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
