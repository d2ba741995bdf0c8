package io.postwire.oauth;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One token request at a time, over the Vert.x core {@link HttpClient}: builds the form of the
 * grant (RFC 6749 §4.4.2, §6), posts it, and reads the answer with {@link TokenGrant}. HTTPS
 * uses the JDK's default trust store and checks that the certificate names the host.
 *
 * <p>Every failure is a {@link TokenRequestException} naming the endpoint and the grant, scrubbed
 * of the client secret and refresh token. Thread-safe: the Vert.x client may be used from any thread.
 */
final class TokenEndpointClient {

    private final Vertx vertx;
    private final OAuth2Settings settings;
    private final HttpClient http;

    TokenEndpointClient(Vertx vertx, OAuth2Settings settings) {
        this.vertx = vertx;
        this.settings = settings;
        // No trust options: Vert.x then uses the JDK default trust managers. Host verification is
        // on by default; it is set here so that nobody turns it off by accident.
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setVerifyHost(true)
                .setTrustAll(false)
                .setMaxPoolSize(1)
                .setKeepAlive(true));
    }

    /**
     * Asks for a token.
     *
     * @param refreshToken the refresh token to redeem, or null for the client credentials grant
     */
    Future<TokenGrant> request(String refreshToken) {
        SecretScrubber scrubber = new SecretScrubber(settings.clientSecret(), refreshToken,
                settings.refreshToken().orElse(null));
        String grant = refreshToken == null ? "client_credentials" : "refresh_token";
        long ms = settings.timeout().toMillis();
        Promise<TokenGrant> result = Promise.promise();
        long timer = vertx.setTimer(ms, id -> result.tryFail(failure(grant, "no answer within " + ms + " ms", scrubber)));

        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(settings.tokenEndpoint().toString())
                .setConnectTimeout(ms)
                .setIdleTimeout(ms)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/x-www-form-urlencoded")
                .putHeader(HttpHeaders.ACCEPT, "application/json");
        if (settings.clientAuthentication() == ClientAuthentication.BASIC) {
            options.putHeader(HttpHeaders.AUTHORIZATION, basic(settings.clientId(), settings.clientSecret()));
        }
        String form = form(formFields(refreshToken));
        http.request(options)
                .compose(req -> req.send(Buffer.buffer(form)))
                .compose(resp -> resp.body().map(body -> TokenGrant.fromResponse(resp.statusCode(), body)))
                .onComplete(ar -> {
                    vertx.cancelTimer(timer);
                    if (ar.succeeded()) {
                        result.tryComplete(ar.result());
                    } else {
                        result.tryFail(failure(grant, reason(ar.cause()), scrubber));
                    }
                });
        return result.future();
    }

    Future<Void> close() {
        return http.close();
    }

    /** The form fields of the grant, in a stable order; package-private for tests of the wire format. */
    Map<String, String> formFields(String refreshToken) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("grant_type", refreshToken == null ? "client_credentials" : "refresh_token");
        if (refreshToken != null) {
            fields.put("refresh_token", refreshToken);
        }
        if (!settings.scope().isBlank()) {
            fields.put("scope", settings.scope());
        }
        if (settings.clientAuthentication() == ClientAuthentication.FORM) {
            // A public client (refresh token, no secret) still names itself (RFC 6749 §6, §3.2.1).
            fields.put("client_id", settings.clientId());
            if (!settings.clientSecret().isEmpty()) {
                fields.put("client_secret", settings.clientSecret());
            }
        }
        return fields;
    }

    static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    /** RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded. */
    static String basic(String clientId, String clientSecret) {
        String pair = encode(clientId) + ":" + encode(clientSecret);
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private TokenRequestException failure(String grant, String reason, SecretScrubber scrubber) {
        return new TokenRequestException(scrubber.scrub("token request to " + settings.endpointForDisplay()
                + " (" + grant + " grant) failed: " + reason));
    }

    private static String reason(Throwable cause) {
        if (cause instanceof TokenRequestException e) {
            return e.getMessage(); // the endpoint answered; TokenGrant said why it is not a token
        }
        String msg = cause.getMessage();
        return "cannot reach the endpoint: " + cause.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }
}
