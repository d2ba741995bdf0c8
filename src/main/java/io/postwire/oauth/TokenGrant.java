package io.postwire.oauth;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * A successful token response (RFC 6749 §5.1), and the one place that reads token endpoint
 * responses, error responses (§5.2) included. {@link #toString()} shows no secret.
 *
 * @param accessToken  the bearer token
 * @param expiresIn    its lifetime, when the endpoint said ({@code expires_in} is only RECOMMENDED)
 * @param refreshToken a new refresh token, when the endpoint rotated it
 */
record TokenGrant(String accessToken, Optional<Duration> expiresIn, Optional<String> refreshToken) {

    /** The longest part of an endpoint's error description we quote. */
    private static final int MAX_DESCRIPTION = 300;

    /**
     * Reads a response. Returns the grant for a 2xx with a bearer token; otherwise throws a
     * {@link TokenRequestException} whose message is the reason, without the caller's context
     * and not yet scrubbed. A body is never quoted whole, since a 2xx body holds tokens.
     */
    static TokenGrant fromResponse(int status, Buffer body) {
        JsonObject json = parse(body);
        if (status < 200 || status > 299) {
            throw new TokenRequestException(errorReason(status, json));
        }
        if (json == null) {
            throw new TokenRequestException("HTTP " + status + " with a body that is not a JSON object");
        }
        String token = json.getValue("access_token") instanceof String s ? s : null;
        if (token == null || token.isEmpty()) {
            throw new TokenRequestException("HTTP " + status + " without an access_token");
        }
        if (!AccessToken.isWellFormed(token)) {
            throw new TokenRequestException("HTTP " + status + " with an access_token that is not printable ASCII");
        }
        Object type = json.getValue("token_type");
        if (type != null && !"bearer".equals(String.valueOf(type).toLowerCase(Locale.ROOT))) {
            // XOAUTH2 sends "auth=Bearer <token>"; any other type would be refused by the relay.
            throw new TokenRequestException("token_type " + type + " is not Bearer");
        }
        String refresh = json.getValue("refresh_token") instanceof String s && !s.isBlank() ? s : null;
        return new TokenGrant(token, expiresIn(json.getValue("expires_in")), Optional.ofNullable(refresh));
    }

    @Override
    public String toString() {
        return "TokenGrant[accessToken=****, expiresIn=" + expiresIn + ", refreshToken="
                + (refreshToken.isPresent() ? "****" : "none") + "]";
    }

    private static JsonObject parse(Buffer body) {
        if (body == null || body.length() == 0) {
            return null;
        }
        try {
            return new JsonObject(body);
        } catch (DecodeException | ClassCastException e) {
            return null;
        }
    }

    /** "HTTP 400 invalid_grant: AADSTS70000: ..." or just "HTTP 503" when the body says nothing usable. */
    private static String errorReason(int status, JsonObject json) {
        StringBuilder reason = new StringBuilder("HTTP ").append(status);
        if (json != null && json.getValue("error") instanceof String error) {
            reason.append(' ').append(printable(error, 64));
            if (json.getValue("error_description") instanceof String description) {
                reason.append(": ").append(printable(description, MAX_DESCRIPTION));
            }
        }
        return reason.toString();
    }

    /** Lifetimes: Microsoft sends a number, some servers a numeric string; nonsense counts as unknown. */
    private static Optional<Duration> expiresIn(Object value) {
        long seconds;
        if (value instanceof Number n) {
            seconds = n.longValue();
        } else if (value instanceof String s) {
            try {
                seconds = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        } else {
            return Optional.empty();
        }
        return seconds > 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
    }

    /** One line of at most {@code max} characters: the text ends up in logs and event records. */
    private static String printable(String text, int max) {
        String flat = text.replaceAll("[\\r\\n\\t]+", " ").strip();
        return flat.length() <= max ? flat : flat.substring(0, max) + "...";
    }
}
