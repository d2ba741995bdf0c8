package io.postwire.projection;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.postwire.bus.DeadLetters;
import io.postwire.bus.KafkaClients;
import io.postwire.bus.Topics;
import io.postwire.event.EventCodec;
import io.postwire.testsupport.DeliveryTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A projector applies each event once even when Kafka hands it over again: here a second
 * runner with a brand-new consumer group (no Kafka offsets at all, as after a lost group or a
 * replica racing a rebalance) reads the topics from the start next to the running one.
 * Counters must not move beyond the real number of events.
 */
@QuarkusTest
@QuarkusTestResource(DeliveryTestResource.class)
class ProjectionReplayTest {

    @Inject
    ReputationProjector reputation;
    @Inject
    KafkaClients clients;
    @Inject
    EventCodec codec;
    @Inject
    DeadLetters deadLetters;

    private static void send(String domain) {
        given().auth().oauth2(DeliveryTestResource.API_KEY).contentType(ContentType.JSON)
                .body(Map.of("from", "app@example.test", "to", List.of("u@" + domain), "subject", "s", "text", "t"))
                .post("/api/v1/messages").then().statusCode(202);
    }

    private static void awaitCounts(String domain, int sent, int delivered) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/reputation/domains/" + domain).then().statusCode(200)
                .body("asRecipientDomain.totals.sent", equalTo(sent))
                .body("asRecipientDomain.totals.delivered", equalTo(delivered)));
    }

    @Test
    void aSecondRunnerFromTheStartAppliesNothingTwice() throws Exception {
        String domain = "replay-" + UUID.randomUUID().toString().substring(0, 8) + ".test";
        send(domain);
        awaitCounts(domain, 1, 1);

        ProjectionRunner replay = new ProjectionRunner(reputation,
                clients.consumer("projection-reputation-replay-" + UUID.randomUUID(), 500),
                List.of(Topics.SEND, Topics.EVENTS), codec, deadLetters).start();
        try {
            send(domain);
            awaitCounts(domain, 2, 2);
            Thread.sleep(3000); // give a double application every chance to show
            awaitCounts(domain, 2, 2);
        } finally {
            replay.close();
        }
    }
}
