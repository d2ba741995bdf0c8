package io.postwire.event;

import java.time.Instant;

/** The receiving server accepted the message for this recipient (a 2xx after DATA). Terminal. */
public record Delivered(
        String messageId,
        String recipientId,
        String sender,
        String recipient,
        int attempt,
        SmtpReply reply,
        String remoteHost,
        boolean tls,
        Instant requestedAt) implements PostwireEvent {

    public Delivered {
        Require.story(messageId, recipientId, sender, recipient);
        Require.attempt(attempt);
        Require.present("reply", reply);
        Require.present("requestedAt", requestedAt);
    }

    @Override
    public boolean terminal() {
        return true;
    }
}
