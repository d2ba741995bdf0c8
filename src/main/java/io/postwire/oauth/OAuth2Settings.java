package io.postwire.oauth;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how to get access tokens. The grant follows from the refresh token: with one, the
 * refresh token grant (RFC 6749 §6, a delegated mailbox); without, the client credentials grant
 * (§4.4, an application with its own permission).
 *
 * <p>The endpoint must be HTTPS, except on a loopback address (tests, a local proxy): the request
 * carries the client secret. {@link #toString()} shows neither the secret nor the refresh token.
 *
 * @param tokenEndpoint        e.g. {@code https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token}
 * @param clientId             the application (client) id
 * @param clientSecret         the client secret; may be empty only with a refresh token, for a
 *                             public client that has no secret
 * @param refreshToken         the refresh token of a delegated grant; a rotated one returned by
 *                             the endpoint replaces it in memory
 * @param scope                space-separated scopes; may be empty only with a refresh token
 * @param timeout              limit for one token request, connecting included
 * @param clientAuthentication how id and secret are sent
 */
public record OAuth2Settings(URI tokenEndpoint, String clientId, String clientSecret, Optional<String> refreshToken,
        String scope, Duration timeout, ClientAuthentication clientAuthentication) {

    public OAuth2Settings {
        Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(refreshToken, "refreshToken");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(clientAuthentication, "clientAuthentication");
        checkEndpoint(tokenEndpoint);
        if (clientId.isBlank()) {
            throw new IllegalArgumentException("clientId must not be blank");
        }
        if (refreshToken.isPresent() && refreshToken.get().isBlank()) {
            throw new IllegalArgumentException("refreshToken must not be blank when present");
        }
        if (refreshToken.isEmpty() && clientSecret.isEmpty()) {
            throw new IllegalArgumentException("the client credentials grant needs a clientSecret");
        }
        if (refreshToken.isEmpty() && scope.isBlank()) {
            // Microsoft's v2 endpoint refuses a client credentials request without <resource>/.default.
            throw new IllegalArgumentException("the client credentials grant needs a scope");
        }
        if (clientAuthentication == ClientAuthentication.BASIC && clientSecret.isEmpty()) {
            throw new IllegalArgumentException("HTTP Basic client authentication needs a clientSecret");
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    /** Settings that send id and secret as form fields, as the Microsoft identity platform does. */
    public OAuth2Settings(URI tokenEndpoint, String clientId, String clientSecret, Optional<String> refreshToken,
            String scope, Duration timeout) {
        this(tokenEndpoint, clientId, clientSecret, refreshToken, scope, timeout, ClientAuthentication.FORM);
    }

    public OAuth2Settings withClientAuthentication(ClientAuthentication auth) {
        return new OAuth2Settings(tokenEndpoint, clientId, clientSecret, refreshToken, scope, timeout, auth);
    }

    /** The RFC 6749 {@code grant_type}: {@code refresh_token} or {@code client_credentials}. */
    public String grantType() {
        return refreshToken.isPresent() ? "refresh_token" : "client_credentials";
    }

    /** The endpoint without query or fragment, safe for messages. */
    public String endpointForDisplay() {
        URI u = tokenEndpoint;
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
                + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    @Override
    public String toString() {
        return "OAuth2Settings[tokenEndpoint=" + endpointForDisplay() + ", clientId=" + clientId
                + ", clientSecret=" + (clientSecret.isEmpty() ? "none" : "****")
                + ", refreshToken=" + (refreshToken.isPresent() ? "****" : "none")
                + ", scope=" + scope + ", timeout=" + timeout + ", clientAuthentication=" + clientAuthentication + "]";
    }

    private static void checkEndpoint(URI endpoint) {
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!endpoint.isAbsolute() || endpoint.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new IllegalArgumentException("tokenEndpoint must be an absolute http(s) URI with a host");
        }
        if (endpoint.getRawUserInfo() != null) {
            throw new IllegalArgumentException("tokenEndpoint must not carry user info");
        }
        if (scheme.equals("http") && !isLoopback(endpoint.getHost())) {
            throw new IllegalArgumentException("tokenEndpoint must use https (plain http only on loopback): "
                    + endpoint.getHost());
        }
    }

    private static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
    }
}
