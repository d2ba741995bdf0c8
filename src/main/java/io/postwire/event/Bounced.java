package io.postwire.event;

/** The receiving server refused this recipient permanently (a 5xx reply). Terminal. */
public record Bounced(
        String messageId,
        String recipientId,
        String sender,
        String recipient,
        int attempt,
        SmtpReply reply,
        String remoteHost,
        BounceClass bounceClass) implements PostwireEvent {

    public Bounced {
        Require.story(messageId, recipientId, sender, recipient);
        Require.attempt(attempt);
        Require.present("reply", reply);
        Require.present("bounceClass", bounceClass);
    }

    @Override
    public boolean terminal() {
        return true;
    }
}
