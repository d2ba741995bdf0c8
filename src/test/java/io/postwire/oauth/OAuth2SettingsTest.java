package io.postwire.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Pure checks: what settings are accepted, and how a token response is read. */
class OAuth2SettingsTest {

    private static final URI MS = URI.create("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");

    private static OAuth2Settings settings(URI endpoint, String secret, Optional<String> refresh, String scope) {
        return new OAuth2Settings(endpoint, "client", secret, refresh, scope, Duration.ofSeconds(10));
    }

    @Test
    void theGrantFollowsFromTheRefreshToken() {
        assertEquals("client_credentials", settings(MS, "s", Optional.empty(), "https://outlook.office365.com/.default").grantType());
        assertEquals("refresh_token", settings(MS, "s", Optional.of("rt"), "").grantType());
        assertEquals(ClientAuthentication.FORM, settings(MS, "s", Optional.empty(), "x").clientAuthentication());
    }

    @Test
    void plainHttpIsOnlyAllowedOnLoopback() {
        settings(URI.create("http://127.0.0.1:8080/token"), "s", Optional.empty(), "x");
        settings(URI.create("http://localhost/token"), "s", Optional.empty(), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> settings(URI.create("http://login.example.com/token"), "s", Optional.empty(), "x"));
        assertTrue(e.getMessage().contains("https"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> settings(URI.create("ftp://h/token"), "s", Optional.empty(), "x"));
        assertThrows(IllegalArgumentException.class, () -> settings(URI.create("/token"), "s", Optional.empty(), "x"));
        assertThrows(IllegalArgumentException.class,
                () -> settings(URI.create("https://user:pw@h/token"), "s", Optional.empty(), "x"));
    }

    @Test
    void clientCredentialsNeedASecretAndAScopeButAPublicClientRefreshDoesNot() {
        assertThrows(IllegalArgumentException.class, () -> settings(MS, "", Optional.empty(), "x"));
        assertThrows(IllegalArgumentException.class, () -> settings(MS, "s", Optional.empty(), " "));
        settings(MS, "", Optional.of("rt"), ""); // public client: no secret, default scopes of the grant
        assertThrows(IllegalArgumentException.class, () -> settings(MS, "", Optional.of("rt"), "")
                .withClientAuthentication(ClientAuthentication.BASIC));
        assertThrows(IllegalArgumentException.class, () -> new OAuth2Settings(MS, "c", "s", Optional.empty(), "x",
                Duration.ZERO));
    }

    @Test
    void aPublicClientNamesItselfButSendsNoSecret() {
        OAuth2Settings s = settings(URI.create("http://127.0.0.1/t"), "", Optional.of("rt"), "");
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            TokenEndpointClient client = new TokenEndpointClient(vertx, s);
            assertEquals("grant_type=refresh_token&refresh_token=rt&client_id=client",
                    TokenEndpointClient.form(client.formFields("rt")));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    @Test
    void basicAuthenticationFormEncodesIdAndSecretFirst() {
        // RFC 6749 §2.3.1: "a b" and "s:c" become "a+b:s%3Ac" before base64.
        String header = TokenEndpointClient.basic("a b", "s:c");
        assertEquals("Basic " + java.util.Base64.getEncoder().encodeToString("a+b:s%3Ac".getBytes()), header);
    }

    @Test
    void aTokenResponseIsReadAsMicrosoftAndOthersSendIt() {
        TokenGrant g = TokenGrant.fromResponse(200, Buffer.buffer(
                "{\"token_type\":\"Bearer\",\"expires_in\":\"3599\",\"access_token\":\"a.b.c\",\"refresh_token\":\"rt2\"}"));
        assertEquals("a.b.c", g.accessToken());
        assertEquals(Optional.of(Duration.ofSeconds(3599)), g.expiresIn());
        assertEquals(Optional.of("rt2"), g.refreshToken());
        assertTrue(!g.toString().contains("a.b.c") && !g.toString().contains("rt2"), g.toString());

        TokenGrant noLifetime = TokenGrant.fromResponse(200, Buffer.buffer("{\"access_token\":\"x\"}"));
        assertEquals(Optional.empty(), noLifetime.expiresIn());
        assertThrows(TokenRequestException.class,
                () -> TokenGrant.fromResponse(200, Buffer.buffer("{\"access_token\":\"has space\"}")));
        assertThrows(TokenRequestException.class, () -> TokenGrant.fromResponse(200, Buffer.buffer("[1]")));
    }

    @Test
    void anErrorDescriptionIsQuotedOnOneShortLine() {
        String long400 = "{\"error\":\"invalid_grant\",\"error_description\":\"line1\\r\\nline2 " + "x".repeat(500) + "\"}";
        TokenRequestException e = assertThrows(TokenRequestException.class,
                () -> TokenGrant.fromResponse(400, Buffer.buffer(long400)));
        assertTrue(e.getMessage().startsWith("HTTP 400 invalid_grant: line1 line2 xxx"), e.getMessage());
        assertTrue(e.getMessage().length() < 400, e.getMessage());
    }

    @Test
    void anAccessTokenMustNotBeAbleToBreakAnSmtpCommand() {
        assertThrows(IllegalArgumentException.class, () -> new AccessToken("abc\r\nQUIT", java.time.Instant.EPOCH));
        assertThrows(IllegalArgumentException.class, () -> new AccessToken("", java.time.Instant.EPOCH));
        assertEquals("AccessToken[value=****, expiresAt=1970-01-01T00:00:00Z]",
                new AccessToken("abc", java.time.Instant.EPOCH).toString());
    }
}
