package io.postwire.event;

/**
 * Postwire itself refused the send before any delivery attempt, e.g. because the recipient is
 * suppressed. Terminal.
 */
public record Rejected(
        String messageId,
        String recipientId,
        String sender,
        String recipient,
        Reason reason,
        String detail) implements PostwireEvent {

    /** Why Postwire refused to try. */
    public enum Reason {
        /** The recipient is on the suppression list (hard bounce, complaint, unsubscribe). */
        SUPPRESSED,
        /** The request cannot be delivered as it stands (e.g. unbuildable content). */
        INVALID
    }

    public Rejected {
        Require.story(messageId, recipientId, sender, recipient);
        Require.present("reason", reason);
    }

    @Override
    public boolean terminal() {
        return true;
    }
}
