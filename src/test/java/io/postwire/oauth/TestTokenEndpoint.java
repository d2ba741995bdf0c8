package io.postwire.oauth;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OAuth 2.0 token endpoint for tests (RFC 6749 §4.4 and §6, Microsoft's form fields), on a
 * random 127.0.0.1 port with its own Vert.x. It checks the client, the grant and the scope as the
 * Microsoft identity platform would, issues numbered bearer tokens, and remembers which are valid
 * so that a test SMTP server can check XOAUTH2 against it ({@link #isValid}).
 *
 * <p>Test knobs: token lifetime, refresh token rotation, revoking tokens, a forced failure reply,
 * a delay or no answer at all. Its error descriptions deliberately echo the secret or refresh
 * token it received, the worst case for a client that quotes them.
 */
public final class TestTokenEndpoint implements AutoCloseable {

    public static final String CLIENT_ID = "11111111-2222-3333-4444-555555555555";
    public static final String CLIENT_SECRET = "Sx8Q~client+secret/with=odd&chars";
    public static final String SCOPE = "https://outlook.office365.com/.default";
    public static final String PATH = "/tenant-id/oauth2/v2.0/token";

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger issuedCount = new AtomicInteger();
    private final List<Map<String, String>> forms = new ArrayList<>();
    private final List<String> authorizations = new ArrayList<>();
    private final Set<String> validTokens = new HashSet<>();
    private final Set<String> validRefreshTokens = new HashSet<>();
    private final List<String> issued = new ArrayList<>();

    private volatile long expiresIn = 3600;
    private volatile boolean rotateRefreshTokens;
    private volatile boolean basicAuth;
    private volatile String scope = SCOPE;
    private volatile Duration delay = Duration.ZERO;
    private volatile boolean hang;
    private volatile int failStatus;
    private volatile String failBody;

    private TestTokenEndpoint() throws Exception {
        server = vertx.createHttpServer().requestHandler(this::handle);
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public static TestTokenEndpoint start() {
        try {
            return new TestTokenEndpoint();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test token endpoint", e);
        }
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.actualPort() + PATH);
    }

    /** Settings for the client credentials grant against this endpoint. */
    public OAuth2Settings clientCredentials() {
        return new OAuth2Settings(uri(), CLIENT_ID, CLIENT_SECRET, java.util.Optional.empty(), SCOPE,
                Duration.ofSeconds(5));
    }

    /** Client credentials settings for a token endpoint where nothing listens (a free port). */
    public static OAuth2Settings unreachable(Duration timeout) {
        URI nowhere = URI.create("http://127.0.0.1:" + io.postwire.testsupport.LoopbackPorts.free() + "/token");
        return new OAuth2Settings(nowhere, CLIENT_ID, CLIENT_SECRET, java.util.Optional.empty(), SCOPE, timeout);
    }

    /** Settings for the refresh token grant; {@code refreshToken} must have been {@link #acceptRefreshToken accepted}. */
    public OAuth2Settings refreshTokenGrant(String refreshToken, String withScope) {
        return new OAuth2Settings(uri(), CLIENT_ID, CLIENT_SECRET, java.util.Optional.of(refreshToken), withScope,
                Duration.ofSeconds(5));
    }

    // --- knobs -------------------------------------------------------------------------------

    public void expiresIn(long seconds) {
        expiresIn = seconds;
    }

    /** Each refresh grant returns a new refresh token and forgets the one redeemed. */
    public void rotateRefreshTokens() {
        rotateRefreshTokens = true;
    }

    public synchronized void acceptRefreshToken(String refreshToken) {
        validRefreshTokens.add(refreshToken);
    }

    /** Requires HTTP Basic client authentication instead of form fields. */
    public void requireBasicAuth() {
        basicAuth = true;
    }

    public void expectScope(String expected) {
        scope = expected;
    }

    public void delay(Duration d) {
        delay = d;
    }

    /** Accepts requests but never answers them. */
    public void hang() {
        hang = true;
    }

    /** Every request gets this status and body (JSON when it starts with '{', HTML otherwise). */
    public void failWith(int status, String body) {
        failStatus = status;
        failBody = body;
    }

    public void recover() {
        failStatus = 0;
        failBody = null;
        hang = false;
    }

    /** Makes every token issued so far invalid, as a revocation or password change would. */
    public synchronized void revokeAll() {
        validTokens.clear();
    }

    // --- what happened -----------------------------------------------------------------------

    public int requestCount() {
        return requests.get();
    }

    /** The form fields of every request, in order. */
    public synchronized List<Map<String, String>> forms() {
        return List.copyOf(forms);
    }

    /** The Authorization header of every request ("" when absent), in order. */
    public synchronized List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    public synchronized boolean isValid(String token) {
        return validTokens.contains(token);
    }

    public synchronized List<String> issuedTokens() {
        return List.copyOf(issued);
    }

    public synchronized Set<String> validRefreshTokens() {
        return Set.copyOf(validRefreshTokens);
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    // --- the endpoint ------------------------------------------------------------------------

    private void handle(HttpServerRequest req) {
        req.body().onSuccess(body -> {
            requests.incrementAndGet();
            Map<String, String> form = parseForm(body.toString(StandardCharsets.UTF_8));
            String authorization = req.getHeader("Authorization");
            synchronized (this) {
                forms.add(form);
                authorizations.add(authorization == null ? "" : authorization);
            }
            if (hang) {
                return;
            }
            Reply reply = failStatus != 0 ? new Reply(failStatus, failBody)
                    : answer(req, form, authorization);
            if (delay.isZero()) {
                send(req, reply);
            } else {
                vertx.setTimer(delay.toMillis(), id -> send(req, reply));
            }
        });
    }

    private record Reply(int status, String body) {
    }

    private Reply answer(HttpServerRequest req, Map<String, String> form, String authorization) {
        if (!req.method().name().equals("POST") || !req.path().equals(PATH)) {
            return new Reply(404, "<html>not found</html>");
        }
        String contentType = String.valueOf(req.getHeader("Content-Type"));
        if (!contentType.startsWith("application/x-www-form-urlencoded")) {
            return error(400, "invalid_request", "content type " + contentType);
        }
        String clientId;
        String secret;
        if (authorization != null && authorization.startsWith("Basic ")) {
            if (form.containsKey("client_secret")) {
                return error(400, "invalid_request", "more than one client authentication method");
            }
            String pair = new String(Base64.getDecoder().decode(authorization.substring(6)), StandardCharsets.UTF_8);
            int colon = pair.indexOf(':');
            clientId = decode(pair.substring(0, colon));
            secret = decode(pair.substring(colon + 1));
        } else if (basicAuth) {
            return error(401, "invalid_client", "HTTP Basic client authentication required");
        } else {
            clientId = form.get("client_id");
            secret = form.get("client_secret");
        }
        if (!CLIENT_ID.equals(clientId) || !CLIENT_SECRET.equals(secret)) {
            return error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided: " + secret);
        }
        String grant = String.valueOf(form.get("grant_type"));
        switch (grant) {
            case "client_credentials" -> {
                if (!scope.equals(form.get("scope"))) {
                    return error(400, "invalid_scope", "scope " + form.get("scope") + " is not valid");
                }
                return issue(null);
            }
            case "refresh_token" -> {
                String rt = form.get("refresh_token");
                synchronized (this) {
                    if (rt == null || !validRefreshTokens.contains(rt)) {
                        return error(400, "invalid_grant", "AADSTS70000: refresh token " + rt + " is not valid");
                    }
                }
                if (form.containsKey("scope") && !scope.equals(form.get("scope"))) {
                    return error(400, "invalid_scope", "scope " + form.get("scope") + " is not valid");
                }
                return issue(rt);
            }
            default -> {
                return error(400, "unsupported_grant_type", "grant " + grant);
            }
        }
    }

    private synchronized Reply issue(String redeemedRefreshToken) {
        int n = issuedCount.incrementAndGet();
        String token = "eyJ0eXAiOiJKV1QifQ.at-" + n + "." + Long.toHexString(System.nanoTime());
        validTokens.add(token);
        issued.add(token);
        JsonObject json = new JsonObject()
                .put("token_type", "Bearer")
                .put("scope", scope)
                .put("expires_in", expiresIn)
                .put("ext_expires_in", expiresIn)
                .put("access_token", token);
        if (redeemedRefreshToken != null) {
            String next = redeemedRefreshToken;
            if (rotateRefreshTokens) {
                validRefreshTokens.remove(redeemedRefreshToken);
                next = "rt-" + n + "-" + Long.toHexString(System.nanoTime());
                validRefreshTokens.add(next);
            }
            json.put("refresh_token", next);
        }
        return new Reply(200, json.encode());
    }

    private static Reply error(int status, String error, String description) {
        return new Reply(status, new JsonObject().put("error", error).put("error_description", description)
                .put("error_codes", List.of(70000)).encode());
    }

    private static void send(HttpServerRequest req, Reply reply) {
        String type = reply.body() != null && reply.body().startsWith("{") ? "application/json" : "text/html";
        req.response().setStatusCode(reply.status()).putHeader("Content-Type", type)
                .putHeader("Cache-Control", "no-store")
                .end(reply.body() == null ? Buffer.buffer() : Buffer.buffer(reply.body()));
    }

    private static Map<String, String> parseForm(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        if (body.isEmpty()) {
            return form;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            form.put(key, eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return form;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
