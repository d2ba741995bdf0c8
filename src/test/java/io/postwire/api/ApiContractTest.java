package io.postwire.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.postwire.testsupport.DeliveryTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The HTTP contract: authentication, problem+json errors, idempotency, health and metrics. */
@QuarkusTest
@QuarkusTestResource(DeliveryTestResource.class)
class ApiContractTest {

    private static final String KEY = DeliveryTestResource.API_KEY;

    private static Map<String, Object> message(String to) {
        return Map.of("from", "app@example.test", "to", List.of(to), "subject", "s", "text", "t");
    }

    @Test
    void everyApiCallNeedsAKnownBearerKey() {
        given().get("/api/v1/suppressions/a@b.test").then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", containsString("Bearer"));
        given().auth().oauth2("wrong").get("/api/v1/reputation/domains/b.test").then().statusCode(401)
                .body("detail", equalTo("unknown API key"));
        given().contentType(ContentType.JSON).body(message("x@dest.test")).post("/api/v1/messages").then().statusCode(401);
        given().auth().oauth2("second-key").get("/api/v1/suppressions/nobody@b.test").then().statusCode(404);
    }

    @Test
    void invalidRequestsNameTheirFields() {
        given().auth().oauth2(KEY).contentType(ContentType.JSON)
                .body(Map.of("from", "not an address", "to", List.of("ok@dest.test", "@bad"), "subject", "a\r\nBcc: x@evil.test",
                        "headers", Map.of("X-Ok", "fine", "X-Evil", "v\r\nInjected: 1")))
                .post("/api/v1/messages")
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("https://postwire.dev/problems/invalid-request"))
                .body("errors.field", hasItems("from", "to[1]", "subject", "text", "headers.X-Evil"));
        given().auth().oauth2(KEY).contentType(ContentType.JSON)
                .body(Map.of("from", "a@example.test", "to", List.of("b@dest.test"), "text", "x".repeat(5_300_000)))
                .post("/api/v1/messages")
                .then().statusCode(400).body("errors[0].field", equalTo("text"))
                .body("errors[0].message", containsString("over the limit"));
        given().auth().oauth2(KEY).contentType(ContentType.JSON).body("{\"from\": ")
                .post("/api/v1/messages").then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(KEY).contentType(ContentType.JSON).body("{\"to\": \"not-a-list\"}")
                .post("/api/v1/messages").then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(KEY).get("/api/v1/reputation/domains/dest.test?hours=0").then().statusCode(400)
                .body("errors[0].field", equalTo("hours"));
    }

    @Test
    void unknownThingsAre404ProblemDocuments() {
        given().auth().oauth2(KEY).get("/api/v1/messages/" + UUID.randomUUID()).then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(KEY).get("/api/v1/suppressions/never@dest.test").then().statusCode(404)
                .contentType("application/problem+json").body("title", equalTo("Not suppressed"));
        given().auth().oauth2(KEY).get("/api/v1/nothing-here").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void theSameIdempotencyKeyNeverSendsTwice() {
        String key = "order-" + UUID.randomUUID();
        String to = "idem-" + UUID.randomUUID().toString().substring(0, 8) + "@dest.test";
        String first = given().auth().oauth2(KEY).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(message(to)).post("/api/v1/messages")
                .then().statusCode(202).extract().path("messageId");
        String second = given().auth().oauth2(KEY).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(message(to)).post("/api/v1/messages")
                .then().statusCode(202).header("Idempotent-Replayed", "true").extract().path("messageId");
        assertEquals(first, second);
        // Another tenant's key with the same idempotency key is a different request.
        String other = given().auth().oauth2("second-key").contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(message(to)).post("/api/v1/messages").then().statusCode(202).extract().path("messageId");
        assertNotEquals(first, other);
        // Same key, different request: refused, not silently replayed.
        given().auth().oauth2(KEY).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(message("someone-else@dest.test")).post("/api/v1/messages")
                .then().statusCode(422).contentType("application/problem+json");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(KEY)
                .get("/api/v1/messages/" + first).then().statusCode(200).body("recipients[0].status", equalTo("delivered")));
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30)).until(() -> DeliveryTestResource.smtp()
                .messages().stream().filter(m -> m.recipients().contains(to)).count() == 2);
        // One send for our key, one for the other tenant's: never a third.
        assertEquals(2, DeliveryTestResource.smtp().messages().stream().filter(m -> m.recipients().contains(to)).count());
    }

    @Test
    void healthAndMetricsArePublic() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItems("Kafka connection health check",
                        "Reactive PostgreSQL connections health check"));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("postwire_deliveries_total{outcome=\"delivered\"}"))
                .body(containsString("postwire_sends_requested_total"));
    }
}
