package io.postwire.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.bus.Topics;
import io.postwire.event.Bounced;
import io.postwire.event.Delivered;
import io.postwire.event.EventCodec;
import io.postwire.event.EventEnvelope;
import io.postwire.testsupport.DeliveryTestResource;
import io.postwire.testsupport.Dkimpy;
import io.postwire.testsupport.PostwireInfra;
import io.postwire.testsupport.ReceivedMessage;
import io.postwire.testsupport.TopicTap;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The walking skeleton end to end: REST request → Kafka → SMTP relay receives a DKIM-signed
 * message → Delivered / Bounced events → timeline, reputation and suppression through the API.
 */
@QuarkusTest
@QuarkusTestResource(DeliveryTestResource.class)
class EndToEndTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private final EventCodec codec = new EventCodec();

    @Test
    void restRequestIsDeliveredSignedAndProjected() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String ok = "ok-" + run + "@dest-" + run + ".test";
        String bad = "permfail-" + run + "@dest-" + run + ".test";

        JsonPath receipt = given().auth().oauth2(DeliveryTestResource.API_KEY).contentType(ContentType.JSON)
                .body(Map.of("from", "news@example.test", "fromName", "Example News", "to", List.of(ok),
                        "cc", List.of(bad), "subject", "Hello " + run, "text", "Plain body " + run,
                        "html", "<p>HTML body " + run + "</p>", "headers", Map.of("X-Campaign", "e2e"),
                        "tags", List.of("welcome")))
                .post("/api/v1/messages")
                .then().statusCode(202).contentType(ContentType.JSON)
                .body("recipients.address", hasItems(ok, bad))
                .extract().jsonPath();
        String messageId = receipt.getString("messageId");
        String okId = receipt.getString("recipients.find { it.address == '" + ok + "' }.recipientId");
        String badId = receipt.getString("recipients.find { it.address == '" + bad + "' }.recipientId");

        // The relay got exactly the accepted recipient's message, signed so that dkimpy verifies it.
        ReceivedMessage received = DeliveryTestResource.smtp().awaitMessageFor(ok, WAIT);
        String text = new String(received.data(), StandardCharsets.UTF_8);
        assertTrue(text.startsWith("DKIM-Signature:"), "message is not DKIM-signed:\n" + text);
        assertTrue(text.contains("Subject: Hello " + run));
        assertTrue(text.contains("X-Postwire-Id: " + okId));
        assertEquals("verified " + DeliveryTestResource.DKIM_DOMAIN, Dkimpy.verify(received.data(),
                DeliveryTestResource.DKIM_DOMAIN, DeliveryTestResource.DKIM_SELECTOR,
                DeliveryTestResource.dkimTxtRecord()));
        assertTrue(DeliveryTestResource.smtp().messages().stream().noneMatch(m -> m.recipients().contains(bad)),
                "the permanently failing recipient must not receive the message");

        // The outcomes are facts on the events topic.
        try (TopicTap events = new TopicTap(PostwireInfra.config().get("kafka.bootstrap.servers"), Topics.EVENTS)) {
            EventEnvelope delivered = codec.read(events.await(r -> is(r.value(), Delivered.class, okId), WAIT).value());
            Delivered d = (Delivered) delivered.data();
            assertEquals(250, d.reply().code());
            assertEquals(1, d.attempt());
            Bounced b = (Bounced) codec.read(events.await(r -> is(r.value(), Bounced.class, badId), WAIT).value()).data();
            assertEquals(550, b.reply().code());
            assertEquals("5.1.1", b.reply().enhancedCode());
        }

        // Timeline: both recipients, each with its status and its events in order.
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/messages/" + messageId)
                .then().statusCode(200)
                .body("recipients.find { it.recipientId == '" + okId + "' }.status", equalTo("delivered"))
                .body("recipients.find { it.recipientId == '" + okId + "' }.events.type",
                        equalTo(List.of("SendRequested", "Delivered")))
                .body("recipients.find { it.recipientId == '" + badId + "' }.status", equalTo("bounced"))
                .body("recipients.find { it.recipientId == '" + badId + "' }.events[1].reply.enhancedCode",
                        equalTo("5.1.1")));

        // Suppression: the hard bounce suppresses its recipient, not the delivered one.
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/suppressions/" + bad)
                .then().statusCode(200)
                .body("reason", equalTo("hard-bounce"))
                .body("bounceClass", equalTo("INVALID_RECIPIENT")));
        given().auth().oauth2(DeliveryTestResource.API_KEY).get("/api/v1/suppressions/" + ok)
                .then().statusCode(404).contentType("application/problem+json");

        // Reputation: the recipient domain saw two sends, one delivered, one bounced.
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/reputation/domains/dest-" + run + ".test")
                .then().statusCode(200)
                .body("asRecipientDomain.totals.sent", equalTo(2))
                .body("asRecipientDomain.totals.delivered", equalTo(1))
                .body("asRecipientDomain.totals.bounced", equalTo(1))
                .body("asRecipientDomain.rates.bounce", equalTo(0.5f)));

        // A later send to the suppressed recipient is Rejected and never reaches the relay.
        String again = given().auth().oauth2(DeliveryTestResource.API_KEY).contentType(ContentType.JSON)
                .body(Map.of("from", "news@example.test", "to", List.of(bad), "subject", "Again", "text", "x"))
                .post("/api/v1/messages").then().statusCode(202).extract().path("messageId");
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/messages/" + again)
                .then().statusCode(200)
                .body("recipients[0].status", equalTo("rejected"))
                .body("recipients[0].events[1].detail", equalTo("SUPPRESSED: recipient is on the suppression list")));
        assertEquals(0, DeliveryTestResource.smtp().messages().stream()
                .filter(m -> m.recipients().contains(bad)).count());
    }

    @Test
    void transientFailureIsRetriedFromKafkaThenExpires() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String temp = "tempfail-" + run + "@slow.test";
        // Expiry is a property of the request; produce it directly with a short life.
        String messageId = given().auth().oauth2(DeliveryTestResource.API_KEY).contentType(ContentType.JSON)
                .body(Map.of("from", "news@example.test", "to", List.of(temp), "subject", "Retry", "text", "x"))
                .post("/api/v1/messages").then().statusCode(202).extract().path("messageId");
        // Retries come back through the retry topic: at least two deferred attempts are recorded.
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/messages/" + messageId)
                .then().statusCode(200)
                .body("recipients[0].status", equalTo("deferred"))
                .body("recipients[0].attempts", org.hamcrest.Matchers.greaterThanOrEqualTo(2))
                .body("recipients[0].events[1].reply.code", equalTo(451)));
    }

    private boolean is(byte[] value, Class<?> type, String recipientId) {
        try {
            EventEnvelope e = codec.read(value);
            return type.isInstance(e.data()) && e.data().recipientId().equals(recipientId);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
