package io.postwire.ingest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.postwire.testsupport.DeliveryTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A writer that dies after Kafka committed its sends but before it marked the idempotency claim
 * accepted leaves a PENDING claim. After the lease, a retry must not send again when the
 * message did go out, and must send when it did not.
 */
@QuarkusTest
@QuarkusTestResource(DeliveryTestResource.class)
class IdempotencyRecoveryTest {

    @Inject
    Pool pool;

    private static String post(String key, String to, int status) {
        return given().auth().oauth2(DeliveryTestResource.API_KEY).contentType(ContentType.JSON)
                .header("Idempotency-Key", key)
                .body(Map.of("from", "app@example.test", "to", List.of(to), "subject", "s", "text", "t"))
                .post("/api/v1/messages").then().statusCode(status).extract().path("messageId");
    }

    private static void awaitDelivered(String messageId) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/messages/" + messageId).then().statusCode(200)
                .body("recipients[0].status", equalTo("delivered")));
    }

    /** What a crash between the Kafka commit and the ACCEPTED mark leaves, a lease ago. */
    private void crashBeforeAccepted(String messageId) {
        pool.preparedQuery("update idempotency_claim set state = 'PENDING', claimed_at = now() - interval '10 minutes'"
                + " where message_id = $1").execute(Tuple.of(messageId)).await().atMost(Duration.ofSeconds(10));
    }

    private static long received(String to) {
        return DeliveryTestResource.smtp().messages().stream().filter(m -> m.recipients().contains(to)).count();
    }

    @Test
    void aCommittedMessageIsNotSentAgain() {
        String key = "k-" + UUID.randomUUID();
        String to = "recover-" + UUID.randomUUID().toString().substring(0, 8) + "@dest.test";
        String messageId = post(key, to, 202);
        awaitDelivered(messageId);
        crashBeforeAccepted(messageId);

        assertEquals(messageId, post(key, to, 202));
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> true);
        assertEquals(1, received(to), "the retry sent the message again");
    }

    @Test
    void aMessageThatNeverWentOutIsSentByTheRetry() {
        String key = "k-" + UUID.randomUUID();
        String to = "recover-lost-" + UUID.randomUUID().toString().substring(0, 8) + "@dest.test";
        String messageId = post(key, to, 202);
        awaitDelivered(messageId);
        crashBeforeAccepted(messageId);
        // Pretend the first attempt's transaction never committed: the timeline has not seen it.
        pool.preparedQuery("delete from timeline_recipient where message_id = $1").execute(Tuple.of(messageId))
                .await().atMost(Duration.ofSeconds(10));

        assertEquals(messageId, post(key, to, 202));
        await().atMost(Duration.ofSeconds(30)).until(() -> received(to) == 2);
    }
}
