package io.postwire.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.testsupport.MutableClock;
import io.postwire.oauth.OAuth2Settings;
import io.postwire.oauth.OAuth2TokenSource;
import io.postwire.oauth.TestTokenEndpoint;
import io.postwire.testsupport.TestSmtpServer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SASL XOAUTH2 end to end: the real SMTP client, a real token endpoint issuing tokens, and the
 * test SMTP server checking each presented token against the endpoint.
 */
class SmtpClientXoauth2Test extends SmtpClientTestBase {

    private static final String USER = "relay@contoso.example";
    private static final Buffer MESSAGE = Buffer.buffer("Subject: oauth\r\n\r\nbody\r\n");

    private final TestTokenEndpoint endpoint = TestTokenEndpoint.start();
    private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    private OAuth2TokenSource tokens;

    @AfterEach
    void closeEndpoint() {
        if (tokens != null) {
            tokens.close();
        }
        endpoint.close();
    }

    private SmtpClient client(TestSmtpServer.Options options, OAuth2Settings settings, int connections,
            int messagesPerConnection) {
        server = TestSmtpServer.start(options);
        tokens = new OAuth2TokenSource(vertx, settings, clock);
        RelayTarget target = quick(server.host(), server.port(), TlsMode.REQUIRED, true)
                .withCredentials(SmtpCredentials.xoauth2(USER, tokens))
                .withPool(connections, messagesPerConnection, Duration.ofSeconds(30));
        client = new SmtpClient(vertx, target);
        return client;
    }

    private TestSmtpServer.Options microsoftLike() {
        return TestSmtpServer.Options.defaults().withStartTls().withXoauth2(USER, endpoint::isValid);
    }

    private SmtpResult send(String recipient) {
        return client.send(SmtpEnvelope.of("app@contoso.example", recipient), MESSAGE)
                .await().atMost(Duration.ofSeconds(20));
    }

    @Test
    void deliversWithAClientCredentialsToken() {
        client(microsoftLike(), endpoint.clientCredentials(), 1, 100);

        SmtpResult result = send("a@example.net");

        assertTrue(result.allAccepted(), result.toString());
        assertTrue(result.tlsUsed());
        assertEquals(USER, server.awaitMessages(1, Duration.ofSeconds(5)).get(0).authUser());
        assertTrue(server.commands().contains("AUTH XOAUTH2"), server.commands().toString());
        assertEquals(endpoint.issuedTokens(), server.xoauth2Tokens());
        assertEquals(1, endpoint.requestCount());
    }

    @Test
    void deliversWithARefreshTokenGrant() {
        String scope = "https://outlook.office.com/SMTP.Send offline_access";
        endpoint.expectScope(scope);
        endpoint.acceptRefreshToken("rt-delegated");
        endpoint.rotateRefreshTokens();
        client(microsoftLike(), endpoint.refreshTokenGrant("rt-delegated", scope), 1, 100);

        assertTrue(send("a@example.net").allAccepted());
        assertEquals("refresh_token", endpoint.forms().get(0).get("grant_type"));
        assertEquals(1, server.xoauth2Tokens().size());
    }

    @Test
    void oneTokenServesSeveralConnections() {
        client(microsoftLike(), endpoint.clientCredentials(), 1, 1); // a new session per message

        for (int i = 0; i < 4; i++) {
            assertTrue(send("r" + i + "@example.net").allAccepted());
        }

        assertEquals(4, server.connectionCount());
        assertEquals(4, server.xoauth2Tokens().size());
        assertEquals(1, server.xoauth2Tokens().stream().distinct().count());
        assertEquals(1, endpoint.requestCount());
    }

    @Test
    void anExpiringTokenIsRefreshedBeforeTheNextSession() {
        client(microsoftLike(), endpoint.clientCredentials(), 1, 1);
        assertTrue(send("a@example.net").allAccepted());

        clock.advance(Duration.ofSeconds(3600 - 30)); // inside the 60 s safety margin
        assertTrue(send("b@example.net").allAccepted());

        assertEquals(2, endpoint.requestCount());
        assertEquals(endpoint.issuedTokens(), server.xoauth2Tokens());
    }

    @Test
    void concurrentSessionsShareOneTokenRequest() {
        endpoint.delay(Duration.ofMillis(300)); // every session is waiting while the request runs
        client(microsoftLike(), endpoint.clientCredentials(), 6, 1);

        List<Uni<SmtpResult>> sends = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            sends.add(client.send(SmtpEnvelope.of("app@contoso.example", "c" + i + "@example.net"), MESSAGE));
        }
        List<?> results = Uni.join().all(sends).andFailFast().await().atMost(Duration.ofSeconds(30));

        assertEquals(12, results.size());
        results.forEach(r -> assertTrue(((SmtpResult) r).allAccepted(), r.toString()));
        assertEquals(12, server.messages().size());
        assertEquals(1, endpoint.requestCount());
        assertEquals(1, server.xoauth2Tokens().stream().distinct().count());
    }

    @Test
    void aRevokedCachedTokenIsReplacedAndTheSameAttemptSucceeds() {
        client(microsoftLike(), endpoint.clientCredentials(), 1, 1);
        assertTrue(send("a@example.net").allAccepted());
        String first = server.xoauth2Tokens().get(0);

        endpoint.revokeAll(); // revoked at the server long before expires_in
        SmtpResult result = send("b@example.net");

        assertTrue(result.allAccepted(), result.toString());
        List<String> presented = server.xoauth2Tokens();
        assertEquals(List.of(first, first, endpoint.issuedTokens().get(1)), presented);
        assertEquals(2, endpoint.requestCount());
    }

    @Test
    void aRejectedFreshTokenIsATransientFailureAndTheNextAttemptFetchesANewOne() {
        AtomicBoolean mailboxAllowed = new AtomicBoolean(false); // e.g. SMTP AUTH disabled for the mailbox
        client(TestSmtpServer.Options.defaults().withStartTls()
                .withXoauth2(USER, t -> mailboxAllowed.get() && endpoint.isValid(t)), endpoint.clientCredentials(), 1, 100);

        RecipientResult refused = send("a@example.net").recipient("a@example.net");
        // Not a verdict on the recipient: a failure that names the reply, so the dispatcher defers.
        assertNull(refused.reply(), refused.toString());
        assertTrue(refused.failure().contains("relay refused authentication: 535 5.7.3"), refused.failure());
        assertEquals(2, endpoint.requestCount(), "one fetch, one retry after the first 535");
        assertTrue(server.messages().isEmpty());
        assertFalse(server.commands().stream().anyMatch(c -> c.startsWith("MAIL")), server.commands().toString());

        mailboxAllowed.set(true);
        assertTrue(send("b@example.net").allAccepted());
        assertEquals(3, endpoint.requestCount(), "the rejected token was invalidated");
        assertEquals(3, server.xoauth2Tokens().stream().distinct().count());
    }

    @Test
    void microsoftsImmediate535IsHandledTheSameWay() {
        client(microsoftLike().withXoauth2DirectFailure(), endpoint.clientCredentials(), 1, 1);
        assertTrue(send("a@example.net").allAccepted());

        endpoint.revokeAll();
        assertTrue(send("b@example.net").allAccepted());
        assertEquals(2, endpoint.requestCount());
    }

    @Test
    void a454IsATransientFailureAndKeepsTheToken() {
        client(microsoftLike().withXoauth2Reply("454 4.7.0 Temporary authentication failure"),
                endpoint.clientCredentials(), 1, 1);

        RecipientResult r = send("a@example.net").recipient("a@example.net");
        assertNull(r.reply(), r.toString());
        assertTrue(r.failure().contains("454 4.7.0"), r.failure());
        send("b@example.net");

        assertEquals(1, endpoint.requestCount(), "a temporary failure must not throw the token away");
    }

    @Test
    void aTokenEndpointThatIsDownIsATransientFailureWithoutSecrets() {
        endpoint.failWith(400, "{\"error\":\"invalid_client\",\"error_description\":\"bad secret "
                + TestTokenEndpoint.CLIENT_SECRET + "\"}");
        client(microsoftLike(), endpoint.clientCredentials(), 1, 1);

        RecipientResult r = send("a@example.net").recipient("a@example.net");

        assertNull(r.reply());
        assertTrue(r.failure().startsWith("cannot get an OAuth2 access token: token request to "
                + endpoint.uri() + " (client_credentials grant) failed: HTTP 400 invalid_client"), r.failure());
        assertFalse(r.failure().contains(TestTokenEndpoint.CLIENT_SECRET), r.failure());
        assertFalse(server.commands().stream().anyMatch(c -> c.startsWith("AUTH")), server.commands().toString());
    }

    @Test
    void anUnreachableTokenEndpointFailsTheAttemptClearly() {
        OAuth2Settings nowhere = TestTokenEndpoint.unreachable(Duration.ofSeconds(2));
        client(microsoftLike(), nowhere, 1, 1);

        RecipientResult r = send("a@example.net").recipient("a@example.net");

        assertNull(r.reply());
        assertTrue(r.failure().contains("cannot reach the endpoint"), r.failure());
        assertFalse(r.failure().contains(TestTokenEndpoint.CLIENT_SECRET), r.failure());
    }

    @Test
    void xoauth2IsRefusedWithoutTlsAndNoTokenIsFetched() {
        server = TestSmtpServer.start(TestSmtpServer.Options.defaults().withXoauth2(USER, endpoint::isValid));
        tokens = new OAuth2TokenSource(vertx, endpoint.clientCredentials(), clock);
        client = new SmtpClient(vertx, quick(server.host(), server.port(), TlsMode.OPTIONAL, true)
                .withCredentials(SmtpCredentials.xoauth2(USER, tokens)));

        RecipientResult r = send("a@example.net").recipient("a@example.net");

        assertEquals("refusing AUTH without TLS", r.failure());
        assertEquals(0, endpoint.requestCount());
        assertFalse(server.commands().stream().anyMatch(c -> c.startsWith("AUTH")), server.commands().toString());
    }

    @Test
    void aServerWithoutXoauth2IsNotOfferedAPasswordInstead() {
        client(TestSmtpServer.Options.defaults().withStartTls().withAuth(USER, "pw"), endpoint.clientCredentials(), 1, 1);

        RecipientResult r = send("a@example.net").recipient("a@example.net");

        assertTrue(r.failure().startsWith("no usable AUTH mechanism"), r.failure());
        assertEquals(0, endpoint.requestCount());
    }

    @Test
    void noTokenOrSecretShowsInResultsOrToString() {
        client(microsoftLike(), endpoint.clientCredentials(), 1, 1);
        SmtpResult ok = send("a@example.net");
        endpoint.revokeAll();
        endpoint.failWith(500, "{\"error\":\"server_error\"}");
        SmtpResult failed = send("b@example.net");

        List<String> texts = List.of(ok.toString(), failed.toString(), client.target().toString(),
                client.target().credentials().orElseThrow().toString(), tokens.toString());
        for (String text : texts) {
            assertFalse(text.contains(TestTokenEndpoint.CLIENT_SECRET), text);
            for (String token : endpoint.issuedTokens()) {
                assertFalse(text.contains(token), text);
            }
        }
        assertTrue(failed.recipient("b@example.net").failure().contains("HTTP 500 server_error"), failed.toString());
    }

    @Test
    void xoauth2NeedsATokenSourceNotAPassword() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SmtpCredentials.of(USER, "pw", AuthMechanism.XOAUTH2));
        assertTrue(e.getMessage().contains("SmtpCredentials.xoauth2"), e.getMessage());
        assertEquals(java.util.Set.of(AuthMechanism.PLAIN, AuthMechanism.LOGIN), SmtpCredentials.of(USER, "pw").mechanisms());
    }
}
