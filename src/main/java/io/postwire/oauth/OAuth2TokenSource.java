package io.postwire.oauth;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A {@link TokenSource} backed by an OAuth 2.0 token endpoint (client credentials or refresh
 * token grant, see {@link OAuth2Settings}).
 *
 * <ul>
 *   <li>A token is reused until {@code expires_in} minus a safety margin of 60 s (at most half
 *       the lifetime, so a short-lived token is still used), so a token never expires between
 *       our check and the relay's. Without {@code expires_in} it is reused for 5 minutes at most.
 *   <li>Callers that find no valid token while a request is running share that request (single
 *       flight), so a burst of new SMTP connections costs one request, not one each.
 *   <li>A failed request is not cached: the next call tries again.
 *   <li>A refresh token rotated by the endpoint replaces the configured one, in memory only; after
 *       a restart the configured one is used again (Microsoft does not revoke a refresh token when
 *       it issues the next one).
 * </ul>
 *
 * <p>Thread-safe: state is guarded by this object's monitor, never held across I/O.
 */
public final class OAuth2TokenSource implements TokenSource {

    static final Duration SAFETY_MARGIN = Duration.ofSeconds(60);
    static final Duration UNKNOWN_LIFETIME = Duration.ofMinutes(5);

    private final OAuth2Settings settings;
    private final Clock clock;
    private final TokenEndpointClient endpoint;

    private AccessToken current;
    private Instant renewAt;
    private Future<AccessToken> inFlight;
    private String refreshToken;

    public OAuth2TokenSource(Vertx vertx, OAuth2Settings settings) {
        this(vertx, settings, Clock.systemUTC());
    }

    /** With an injected clock, which decides when a cached token is too old. */
    public OAuth2TokenSource(Vertx vertx, OAuth2Settings settings, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.endpoint = new TokenEndpointClient(Objects.requireNonNull(vertx, "vertx"), settings);
        this.refreshToken = settings.refreshToken().orElse(null);
    }

    @Override
    public Future<AccessToken> token() {
        Promise<AccessToken> promise;
        String redeem;
        synchronized (this) {
            if (current != null && clock.instant().isBefore(renewAt)) {
                return Future.succeededFuture(current);
            }
            if (inFlight != null) {
                return inFlight;
            }
            promise = Promise.promise();
            inFlight = promise.future();
            redeem = refreshToken;
        }
        // The request is started outside the monitor: a failure can complete synchronously.
        endpoint.request(redeem).onComplete(ar -> {
            AccessToken token = null;
            synchronized (this) {
                inFlight = null;
                if (ar.succeeded()) {
                    token = accept(ar.result());
                }
            }
            if (token != null) {
                promise.complete(token);
            } else {
                promise.fail(ar.cause());
            }
        });
        return promise.future();
    }

    @Override
    public synchronized void invalidate(AccessToken token) {
        if (token != null && token.equals(current)) {
            current = null;
            renewAt = null;
        }
    }

    /** Closes the HTTP client; tokens already handed out stay usable. */
    public Future<Void> close() {
        return endpoint.close();
    }

    public OAuth2Settings settings() {
        return settings;
    }

    /** Caches the grant's token and takes a rotated refresh token; caller holds the monitor. */
    private AccessToken accept(TokenGrant grant) {
        Instant now = clock.instant();
        Duration lifetime = grant.expiresIn().orElse(UNKNOWN_LIFETIME);
        Duration margin = grant.expiresIn().isEmpty() ? Duration.ZERO
                : min(SAFETY_MARGIN, lifetime.dividedBy(2));
        current = new AccessToken(grant.accessToken(), now.plus(lifetime));
        renewAt = now.plus(lifetime).minus(margin);
        if (refreshToken != null && grant.refreshToken().isPresent()) {
            refreshToken = grant.refreshToken().get();
        }
        return current;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public String toString() {
        return "OAuth2TokenSource[" + settings + "]";
    }
}
