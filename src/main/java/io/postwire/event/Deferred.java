package io.postwire.event;

import java.time.Instant;

/**
 * An attempt failed transiently (a 4xx reply, or a network failure with no reply at all) and the
 * send will be tried again at {@code nextAttemptAt}. Exactly one of {@code reply} and
 * {@code failure} is set.
 */
public record Deferred(
        String messageId,
        String recipientId,
        String sender,
        String recipient,
        int attempt,
        SmtpReply reply,
        String failure,
        String remoteHost,
        Instant nextAttemptAt) implements PostwireEvent {

    public Deferred {
        Require.story(messageId, recipientId, sender, recipient);
        Require.attempt(attempt);
        if ((reply == null) == (failure == null)) {
            throw new IllegalArgumentException("exactly one of reply and failure is required");
        }
        Require.present("nextAttemptAt", nextAttemptAt);
    }
}
