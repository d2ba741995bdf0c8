package io.postwire.oauth;

/**
 * A token request failed: the endpoint refused it ({@code invalid_grant}, {@code invalid_client},
 * HTTP 4xx/5xx), could not be reached, or did not answer in time. The message names the endpoint,
 * the grant and the reason, and is scrubbed of every secret the request carried; no cause is
 * attached, so nothing unscrubbed hides in the chain either.
 */
public final class TokenRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    TokenRequestException(String message) {
        // No stack trace: this is an infrastructure outcome reported through a future, not a bug.
        super(message, null, false, false);
    }
}
