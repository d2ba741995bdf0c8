package io.postwire.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.testsupport.DeliveryTestResource;
import io.postwire.testsupport.ReceivedMessage;
import io.postwire.testsupport.TestSmtpServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The relay as a provider's submission smarthost (like smtp-mail.outlook.com:587) wants it:
 * STARTTLS required, then AUTH with credentials from configuration. The test server refuses
 * mail without AUTH and offers AUTH only after STARTTLS.
 */
@QuarkusTest
@QuarkusTestResource(DeliveryTestResource.class)
@TestProfile(TlsAuthRelayTest.TlsAuthRelay.class)
class TlsAuthRelayTest {

    private static final String USER = "relay-user@example.test";
    private static final String PASSWORD = "s3cret-" + UUID.randomUUID();
    private static TestSmtpServer server;

    /** Points the relay settings at a STARTTLS + AUTH server. */
    public static class TlsAuthRelay implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "postwire.relay.port", Integer.toString(server().port()),
                    "postwire.relay.tls", "required",
                    "postwire.relay.trust-all", "true",
                    "postwire.relay.username", USER,
                    "postwire.relay.password", PASSWORD,
                    "postwire.relay.auth-mechanism", "login");
        }
    }

    static synchronized TestSmtpServer server() {
        if (server == null) {
            server = TestSmtpServer.start(TestSmtpServer.Options.defaults().withStartTls().withAuth(USER, PASSWORD));
        }
        return server;
    }

    @Test
    void deliversOverStartTlsWithAuth() {
        String to = "tls-" + UUID.randomUUID().toString().substring(0, 8) + "@dest.test";
        String messageId = given().auth().oauth2(DeliveryTestResource.API_KEY).contentType(ContentType.JSON)
                .body(Map.of("from", "app@example.test", "to", List.of(to), "subject", "over TLS", "text", "hello"))
                .post("/api/v1/messages").then().statusCode(202).extract().path("messageId");
        ReceivedMessage m = server().awaitMessageFor(to, Duration.ofSeconds(30));
        assertTrue(m.tls(), "message was not sent over TLS");
        assertEquals(USER, m.authUser());
        assertTrue(server().commands().stream().anyMatch(c -> c.startsWith("AUTH LOGIN")), server().commands().toString());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/messages/" + messageId).then().statusCode(200)
                .body("recipients[0].status", equalTo("delivered"))
                .body("recipients[0].events[1].detail", equalTo("tls")));
        assertEquals(0, DeliveryTestResource.smtp().messages().stream().filter(x -> x.recipients().contains(to)).count(),
                "the plain test relay must not have been used");
    }
}
