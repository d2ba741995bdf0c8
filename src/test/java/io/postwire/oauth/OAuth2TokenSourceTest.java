package io.postwire.oauth;

import io.postwire.testsupport.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link OAuth2TokenSource} against a real token endpoint on a loopback port. */
class OAuth2TokenSourceTest {

    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private final Vertx vertx = Vertx.vertx();
    private final TestTokenEndpoint endpoint = TestTokenEndpoint.start();
    private final MutableClock clock = new MutableClock(T0);
    private OAuth2TokenSource source;

    @AfterEach
    void close() {
        if (source != null) {
            await(source.close());
        }
        endpoint.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private OAuth2TokenSource source(OAuth2Settings settings) {
        source = new OAuth2TokenSource(vertx, settings, clock);
        return source;
    }

    @Test
    void clientCredentialsGrantPostsTheFormFieldsMicrosoftExpects() {
        AccessToken token = await(source(endpoint.clientCredentials()).token());

        assertEquals(endpoint.issuedTokens().get(0), token.value());
        assertEquals(T0.plusSeconds(3600), token.expiresAt());
        assertEquals(Map.of("grant_type", "client_credentials", "scope", TestTokenEndpoint.SCOPE,
                "client_id", TestTokenEndpoint.CLIENT_ID, "client_secret", TestTokenEndpoint.CLIENT_SECRET),
                endpoint.forms().get(0));
        assertEquals("", endpoint.authorizations().get(0));
    }

    @Test
    void basicClientAuthenticationKeepsTheSecretOutOfTheForm() {
        endpoint.requireBasicAuth();
        OAuth2Settings settings = endpoint.clientCredentials().withClientAuthentication(ClientAuthentication.BASIC);

        AccessToken token = await(source(settings).token());

        assertTrue(endpoint.isValid(token.value()));
        assertEquals(Map.of("grant_type", "client_credentials", "scope", TestTokenEndpoint.SCOPE), endpoint.forms().get(0));
        assertTrue(endpoint.authorizations().get(0).startsWith("Basic "), endpoint.authorizations().toString());
    }

    @Test
    void refreshTokenGrantRedeemsTheConfiguredRefreshToken() {
        String scope = "https://outlook.office.com/SMTP.Send offline_access";
        endpoint.expectScope(scope);
        endpoint.acceptRefreshToken("rt-initial");

        AccessToken token = await(source(endpoint.refreshTokenGrant("rt-initial", scope)).token());

        assertTrue(endpoint.isValid(token.value()));
        Map<String, String> form = endpoint.forms().get(0);
        assertEquals("refresh_token", form.get("grant_type"));
        assertEquals("rt-initial", form.get("refresh_token"));
        assertEquals(scope, form.get("scope"));
        assertEquals(TestTokenEndpoint.CLIENT_ID, form.get("client_id"));
    }

    @Test
    void aRotatedRefreshTokenReplacesTheConfiguredOne() {
        endpoint.acceptRefreshToken("rt-initial");
        endpoint.rotateRefreshTokens();
        OAuth2TokenSource tokens = source(endpoint.refreshTokenGrant("rt-initial", TestTokenEndpoint.SCOPE));

        AccessToken first = await(tokens.token());
        tokens.invalidate(first);
        AccessToken second = await(tokens.token()); // "rt-initial" is no longer valid at the endpoint
        tokens.invalidate(second);
        AccessToken third = await(tokens.token());

        assertEquals(3, endpoint.requestCount());
        assertEquals(3, Set.of(first.value(), second.value(), third.value()).size());
        List<Map<String, String>> forms = endpoint.forms();
        assertEquals("rt-initial", forms.get(0).get("refresh_token"));
        assertNotEquals("rt-initial", forms.get(1).get("refresh_token"));
        assertTrue(endpoint.validRefreshTokens().size() == 1
                && !endpoint.validRefreshTokens().contains(forms.get(1).get("refresh_token")));
    }

    @Test
    void aTokenIsReusedUntilSixtySecondsBeforeItExpires() {
        OAuth2TokenSource tokens = source(endpoint.clientCredentials());

        AccessToken first = await(tokens.token());
        clock.advance(Duration.ofSeconds(3600 - 61));
        assertEquals(first, await(tokens.token()));
        assertEquals(1, endpoint.requestCount());

        clock.advance(Duration.ofSeconds(2)); // now 59 s before expiry
        AccessToken second = await(tokens.token());
        assertNotEquals(first.value(), second.value());
        assertEquals(2, endpoint.requestCount());
    }

    @Test
    void aShortLivedTokenIsKeptForHalfItsLifetime() {
        endpoint.expiresIn(40);
        OAuth2TokenSource tokens = source(endpoint.clientCredentials());

        AccessToken first = await(tokens.token());
        clock.advance(Duration.ofSeconds(19));
        assertEquals(first, await(tokens.token()));
        clock.advance(Duration.ofSeconds(2));
        assertNotEquals(first, await(tokens.token()));
        assertEquals(2, endpoint.requestCount());
    }

    @Test
    void concurrentCallersShareOneRequest() throws Exception {
        endpoint.delay(Duration.ofMillis(300));
        OAuth2TokenSource tokens = source(endpoint.clientCredentials());
        int callers = 16;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<AccessToken>> results = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Future<AccessToken> f = tokens.token();
                synchronized (results) {
                    results.add(f);
                }
            });
            t.start();
            threads.add(t);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join(5000);
        }

        assertEquals(callers, results.size());
        Set<String> values = new java.util.HashSet<>();
        for (Future<AccessToken> f : results) {
            values.add(await(f).value());
        }
        assertEquals(1, values.size());
        assertEquals(1, endpoint.requestCount());
    }

    @Test
    void invalidatingAnOlderTokenKeepsTheCurrentOne() {
        OAuth2TokenSource tokens = source(endpoint.clientCredentials());
        AccessToken first = await(tokens.token());
        tokens.invalidate(first);
        AccessToken second = await(tokens.token());

        tokens.invalidate(first); // a late rejection of the old token must not drop the new one
        assertEquals(second, await(tokens.token()));
        assertEquals(2, endpoint.requestCount());
    }

    @Test
    void invalidGrantFailsWithTheEndpointsReasonButWithoutTheRefreshToken() {
        // The endpoint echoes the refresh token it did not accept in its description.
        String message = failure(source(endpoint.refreshTokenGrant("rt-unknown-0815", TestTokenEndpoint.SCOPE)).token());

        assertTrue(message.contains("refresh_token grant"), message);
        assertTrue(message.contains("HTTP 400 invalid_grant: AADSTS70000"), message);
        assertTrue(message.contains(endpoint.uri().toString()), message);
        assertFalse(message.contains("rt-unknown-0815"), message);
        assertFalse(message.contains(TestTokenEndpoint.CLIENT_SECRET), message);
    }

    @Test
    void aWrongSecretIsNotQuotedEvenWhenTheEndpointEchoesIt() {
        String secret = "wrong~secret+value/1";
        OAuth2Settings settings = new OAuth2Settings(endpoint.uri(), TestTokenEndpoint.CLIENT_ID, secret,
                Optional.empty(), TestTokenEndpoint.SCOPE, Duration.ofSeconds(5));

        String message = failure(source(settings).token());

        assertTrue(message.contains("HTTP 401 invalid_client"), message);
        assertFalse(message.contains(secret), message);
        assertFalse(message.contains("wrong%7Esecret"), message);
        assertFalse(message.contains("wrong~secret%2Bvalue"), message);
    }

    @Test
    void aServerErrorPageIsReportedByItsStatus() {
        endpoint.failWith(503, "<html>Service Unavailable " + TestTokenEndpoint.CLIENT_SECRET + "</html>");

        String message = failure(source(endpoint.clientCredentials()).token());

        assertTrue(message.endsWith("failed: HTTP 503"), message);
    }

    @Test
    void aSuccessWithoutATokenIsAFailureThatDoesNotQuoteTheBody() {
        endpoint.failWith(200, "{\"token_type\":\"Bearer\",\"refresh_token\":\"rt-leak\"}");

        String message = failure(source(endpoint.clientCredentials()).token());

        assertTrue(message.contains("HTTP 200 without an access_token"), message);
        assertFalse(message.contains("rt-leak"), message);
    }

    @Test
    void aNonBearerTokenIsRefused() {
        endpoint.failWith(200, "{\"token_type\":\"mac\",\"access_token\":\"abc\",\"expires_in\":3600}");

        String message = failure(source(endpoint.clientCredentials()).token());

        assertTrue(message.contains("token_type mac is not Bearer"), message);
        assertFalse(message.contains("abc\""), message);
    }

    @Test
    void anEndpointThatIsDownFailsClearly() {
        OAuth2Settings settings = TestTokenEndpoint.unreachable(Duration.ofSeconds(5));

        String message = failure(source(settings).token());

        assertTrue(message.startsWith("token request to " + settings.tokenEndpoint() + " (client_credentials grant)"
                + " failed: cannot reach the endpoint"), message);
        assertFalse(message.contains(TestTokenEndpoint.CLIENT_SECRET), message);
    }

    @Test
    void anEndpointThatDoesNotAnswerTimesOut() {
        endpoint.hang();
        OAuth2Settings quick = new OAuth2Settings(endpoint.uri(), TestTokenEndpoint.CLIENT_ID,
                TestTokenEndpoint.CLIENT_SECRET, Optional.empty(), TestTokenEndpoint.SCOPE, Duration.ofMillis(400));

        long t0 = System.nanoTime();
        String message = failure(source(quick).token());
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertTrue(message.contains("failed: no answer within 400 ms")
                || message.contains("failed: cannot reach the endpoint"), message);
        assertTrue(ms < 3000, "took " + ms + " ms");
    }

    @Test
    void aFailureIsNotCachedAndTheNextCallTriesAgain() {
        endpoint.failWith(500, "{\"error\":\"temporarily_unavailable\"}");
        OAuth2TokenSource tokens = source(endpoint.clientCredentials());
        assertTrue(failure(tokens.token()).endsWith("HTTP 500 temporarily_unavailable"));

        endpoint.recover();
        AccessToken token = await(tokens.token());

        assertTrue(endpoint.isValid(token.value()));
        assertEquals(2, endpoint.requestCount());
    }

    @Test
    void httpsRefusesACertificateTheJdkDoesNotTrust() throws Exception {
        com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(
                io.postwire.testsupport.SelfSignedTls.serverContext()));
        int[] hits = {0};
        https.createContext("/", exchange -> {
            hits[0]++;
            byte[] body = "{\"access_token\":\"nope\",\"token_type\":\"Bearer\"}".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        https.start();
        try {
            OAuth2Settings settings = new OAuth2Settings(
                    java.net.URI.create("https://localhost:" + https.getAddress().getPort() + "/token"),
                    TestTokenEndpoint.CLIENT_ID, TestTokenEndpoint.CLIENT_SECRET, Optional.empty(),
                    TestTokenEndpoint.SCOPE, Duration.ofSeconds(5));

            String message = failure(source(settings).token());

            assertTrue(message.contains("cannot reach the endpoint"), message);
            assertTrue(message.contains("SSL") || message.contains("PKIX") || message.contains("certificate"), message);
            assertEquals(0, hits[0], "no request may reach an untrusted server");
        } finally {
            https.stop(0);
        }
    }

    @Test
    void noSecretAppearsInToString() {
        OAuth2Settings settings = endpoint.refreshTokenGrant("rt-secret-value", TestTokenEndpoint.SCOPE);
        endpoint.acceptRefreshToken("rt-secret-value");
        OAuth2TokenSource tokens = source(settings);
        AccessToken token = await(tokens.token());

        for (String text : List.of(settings.toString(), tokens.toString(), token.toString())) {
            assertFalse(text.contains(TestTokenEndpoint.CLIENT_SECRET), text);
            assertFalse(text.contains("rt-secret-value"), text);
            assertFalse(text.contains(token.value()), text);
        }
        assertTrue(settings.toString().contains(TestTokenEndpoint.CLIENT_ID), settings.toString());
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("future failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The failure message of a future that must fail with a {@link TokenRequestException}. */
    static String failure(Future<?> future) {
        try {
            future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertInstanceOf(TokenRequestException.class, e.getCause());
            return e.getCause().getMessage();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected the token request to fail");
    }
}
