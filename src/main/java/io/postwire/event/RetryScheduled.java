package io.postwire.event;

import java.time.Instant;

/**
 * A deferred send waiting for its next attempt. It waits on the retry topic (never only in
 * memory) and is forwarded to the send topic once {@code notBefore} has passed.
 */
public record RetryScheduled(SendRequested request, int attempt, Instant notBefore) implements PostwireEvent {

    public RetryScheduled {
        Require.present("request", request);
        Require.attempt(attempt);
        Require.present("notBefore", notBefore);
    }

    @Override
    public String messageId() {
        return request.messageId();
    }

    @Override
    public String recipientId() {
        return request.recipientId();
    }

    @Override
    public String sender() {
        return request.sender();
    }

    @Override
    public String recipient() {
        return request.recipient();
    }
}
