package io.postwire.event;

import java.time.Instant;

/**
 * The send stayed undeliverable until its maximum age and was given up. Carries the last
 * transient outcome so the reader sees why. Terminal.
 */
public record Expired(
        String messageId,
        String recipientId,
        String sender,
        String recipient,
        int attempts,
        SmtpReply lastReply,
        String lastFailure,
        Instant requestedAt) implements PostwireEvent {

    public Expired {
        Require.story(messageId, recipientId, sender, recipient);
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must be >= 0");
        }
        Require.present("requestedAt", requestedAt);
    }

    @Override
    public boolean terminal() {
        return true;
    }
}
