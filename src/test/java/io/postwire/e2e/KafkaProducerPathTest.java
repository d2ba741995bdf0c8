package io.postwire.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.postwire.bus.Topics;
import io.postwire.event.Delivered;
import io.postwire.event.EventCodec;
import io.postwire.event.EventEnvelope;
import io.postwire.feedback.VerpToken;
import io.postwire.event.Expired;
import io.postwire.event.Rejected;
import java.util.List;
import io.postwire.testsupport.DeliveryTestResource;
import io.postwire.testsupport.Dkimpy;
import io.postwire.testsupport.PostwireInfra;
import io.postwire.testsupport.ReceivedMessage;
import io.postwire.testsupport.TestKafkaClients;
import io.postwire.testsupport.TopicTap;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Another service asks for mail the way docs/events.md tells it to: it produces the documented
 * sample envelope (with {@code time}/{@code requestedAt} set to now, as the page says) to
 * {@code postwire.send.v1}, keyed by the recipient domain, with acks=all and idempotence.
 * Malformed records go to the dead-letter topic with a reason while the consumer keeps going.
 */
@QuarkusTest
@QuarkusTestResource(DeliveryTestResource.class)
class KafkaProducerPathTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private final ObjectMapper json = new ObjectMapper();
    private final EventCodec codec = new EventCodec();

    private static KafkaProducer<String, byte[]> producer() {
        return TestKafkaClients.producer(PostwireInfra.config().get("kafka.bootstrap.servers"));
    }

    /** The sample from kafka/samples, made current and unique the way the docs ask producers to. */
    private ObjectNode documentedSample(String recipient) throws Exception {
        ObjectNode envelope = (ObjectNode) json.readTree(Files.readAllBytes(Path.of("kafka", "samples", "send-requested.json")));
        String now = Instant.now().toString();
        String messageId = UUID.randomUUID().toString();
        ObjectNode data = (ObjectNode) envelope.get("data");
        envelope.put("id", UUID.randomUUID().toString());
        envelope.put("time", now);
        envelope.put("subject", messageId + ".1");
        data.put("messageId", messageId);
        data.put("recipientId", messageId + ".1");
        data.put("requestedAt", now);
        data.put("recipient", recipient);
        data.putArray("to").add(recipient);
        return envelope;
    }

    @Test
    void documentedSendRequestedIsDelivered() throws Exception {
        String recipient = "alice-" + UUID.randomUUID().toString().substring(0, 8) + "@dest.test";
        ObjectNode envelope = documentedSample(recipient);
        String recipientId = envelope.get("subject").asText();
        try (KafkaProducer<String, byte[]> p = producer()) {
            p.send(new ProducerRecord<>(Topics.SEND, "dest.test", json.writeValueAsBytes(envelope))).get();
        }
        ReceivedMessage m = DeliveryTestResource.smtp().awaitMessageFor(recipient, WAIT);
        // The return path is the signed VERP address of this very send, not the sender.
        assertTrue(m.mailFrom().endsWith("@" + DeliveryTestResource.BOUNCE_DOMAIN), m.mailFrom());
        assertEquals(recipientId, new VerpToken(DeliveryTestResource.BOUNCE_SECRET.getBytes(StandardCharsets.UTF_8))
                .decode(m.mailFrom()).orElseThrow());
        assertEquals("verified example.test", Dkimpy.verify(m.data(), DeliveryTestResource.DKIM_DOMAIN,
                DeliveryTestResource.DKIM_SELECTOR, DeliveryTestResource.dkimTxtRecord()));
        String text = new String(m.data(), StandardCharsets.UTF_8);
        assertTrue(text.contains("X-Invoice-Number: 2026-0042"), text);
        try (TopicTap events = new TopicTap(PostwireInfra.config().get("kafka.bootstrap.servers"), Topics.EVENTS)) {
            EventEnvelope e = codec.read(events.await(r -> matches(r, Delivered.class, recipientId), WAIT).value());
            assertEquals(recipient, e.data().recipient());
        }
    }

    @Test
    void malformedRecordsAreDeadLetteredAndTheConsumerGoesOn() throws Exception {
        String tag = UUID.randomUUID().toString();
        ObjectNode invalid = documentedSample("bob@dest.test");
        ((ObjectNode) invalid.get("data")).put("recipient", "not-an-address-" + tag);
        String recipient = "carol-" + tag.substring(0, 8) + "@dest.test";
        try (KafkaProducer<String, byte[]> p = producer()) {
            p.send(new ProducerRecord<>(Topics.SEND, "dest.test", ("garbage " + tag).getBytes(StandardCharsets.UTF_8))).get();
            p.send(new ProducerRecord<>(Topics.SEND, "dest.test", json.writeValueAsBytes(invalid))).get();
            p.send(new ProducerRecord<>(Topics.EVENTS, "x", ("{\"not\":\"" + tag + "\"}").getBytes(StandardCharsets.UTF_8))).get();
            // The same partition goes on: a valid record behind the bad ones is delivered.
            p.send(new ProducerRecord<>(Topics.SEND, "dest.test", json.writeValueAsBytes(documentedSample(recipient)))).get();
        }
        DeliveryTestResource.smtp().awaitMessageFor(recipient, WAIT);
        try (TopicTap dlq = new TopicTap(PostwireInfra.config().get("kafka.bootstrap.servers"), Topics.DLQ)) {
            ConsumerRecord<String, byte[]> garbage = dlq.await(r -> new String(r.value(), StandardCharsets.UTF_8)
                    .equals("garbage " + tag) && header(r, Topics.H_CONSUMER).equals("dispatcher"), WAIT);
            assertTrue(header(garbage, Topics.H_REASON).startsWith("not JSON"), header(garbage, Topics.H_REASON));
            assertEquals(Topics.SEND, header(garbage, Topics.H_ORIGIN_TOPIC));
            ConsumerRecord<String, byte[]> bad = dlq.await(r -> new String(r.value(), StandardCharsets.UTF_8)
                    .contains("not-an-address-" + tag) && header(r, Topics.H_CONSUMER).equals("dispatcher"), WAIT);
            assertEquals("invalid io.postwire.SendRequested: recipient is not a valid address: not-an-address-" + tag,
                    header(bad, Topics.H_REASON));
            ConsumerRecord<String, byte[]> event = dlq.await(r -> new String(r.value(), StandardCharsets.UTF_8)
                    .contains(tag) && header(r, Topics.H_CONSUMER).equals("projection-timeline")
                    && header(r, Topics.H_ORIGIN_TOPIC).equals(Topics.EVENTS), WAIT);
            assertEquals("specversion is required and must be a string", header(event, Topics.H_REASON));
        }
    }

    @Test
    void aSendThatKeepsFailingTransientlyExpires() throws Exception {
        String recipient = "tempfail-" + UUID.randomUUID().toString().substring(0, 8) + "@dest.test";
        ObjectNode envelope = documentedSample(recipient);
        ((ObjectNode) envelope.get("data")).put("expiresAt", Instant.now().plusSeconds(4).toString());
        String recipientId = envelope.get("subject").asText();
        String messageId = envelope.get("data").get("messageId").asText();
        try (KafkaProducer<String, byte[]> p = producer()) {
            p.send(new ProducerRecord<>(Topics.SEND, "dest.test", json.writeValueAsBytes(envelope))).get();
        }
        try (TopicTap events = new TopicTap(PostwireInfra.config().get("kafka.bootstrap.servers"), Topics.EVENTS)) {
            Expired x = (Expired) codec.read(events.await(r -> matches(r, Expired.class, recipientId), WAIT).value()).data();
            assertTrue(x.attempts() >= 1, "attempts " + x.attempts());
            assertEquals(451, x.lastReply().code());
        }
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/messages/" + messageId)
                .then().statusCode(200)
                .body("recipients[0].status", equalTo("expired")));
    }

    @Test
    void aRawMessageIsRelayedAsGivenWithTrackingHeaderAndSignature() throws Exception {
        String recipient = "raw-" + UUID.randomUUID().toString().substring(0, 8) + "@dest.test";
        String raw = "From: Billing <billing@example.test>\r\nTo: " + recipient + "\r\nSubject: raw one\r\n"
                + "Message-ID: <raw-1@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "\r\n.leading dot line\r\nbody\r\n";
        ObjectNode envelope = documentedSample(recipient);
        ObjectNode data = (ObjectNode) envelope.get("data");
        data.remove(List.of("subject", "text", "html", "headers", "fromName"));
        data.put("raw", raw);
        String recipientId = envelope.get("subject").asText();
        try (KafkaProducer<String, byte[]> p = producer()) {
            p.send(new ProducerRecord<>(Topics.SEND, "dest.test", json.writeValueAsBytes(envelope))).get();
        }
        ReceivedMessage m = DeliveryTestResource.smtp().awaitMessageFor(recipient, WAIT);
        String text = new String(m.data(), StandardCharsets.UTF_8);
        assertTrue(text.startsWith("DKIM-Signature:"), text);
        assertTrue(text.contains("X-Postwire-Id: " + recipientId + "\r\n" + raw), text);
        assertEquals("verified example.test", Dkimpy.verify(m.data(), DeliveryTestResource.DKIM_DOMAIN,
                DeliveryTestResource.DKIM_SELECTOR, DeliveryTestResource.dkimTxtRecord()));
    }

    @Test
    void aRawMessageThatCannotBeSignedIsRejectedNotRetried() throws Exception {
        String recipient = "nofrom-" + UUID.randomUUID().toString().substring(0, 8) + "@dest.test";
        ObjectNode envelope = documentedSample(recipient);
        ((ObjectNode) envelope.get("data")).put("raw", "Subject: no author\r\n\r\nbody\r\n");
        String recipientId = envelope.get("subject").asText();
        try (KafkaProducer<String, byte[]> p = producer()) {
            p.send(new ProducerRecord<>(Topics.SEND, "dest.test", json.writeValueAsBytes(envelope))).get();
        }
        try (TopicTap events = new TopicTap(PostwireInfra.config().get("kafka.bootstrap.servers"), Topics.EVENTS)) {
            Rejected r = (Rejected) codec.read(events.await(x -> matches(x, Rejected.class, recipientId), WAIT).value()).data();
            assertEquals(Rejected.Reason.INVALID, r.reason());
            assertTrue(r.detail().startsWith("cannot build message"), r.detail());
        }
    }

    private boolean matches(ConsumerRecord<String, byte[]> r, Class<?> type, String recipientId) {
        try {
            EventEnvelope e = codec.read(r.value());
            return type.isInstance(e.data()) && e.data().recipientId().equals(recipientId);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
