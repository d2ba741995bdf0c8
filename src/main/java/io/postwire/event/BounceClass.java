package io.postwire.event;

/**
 * Why a recipient bounced, in the vocabulary analysts and suppression rules use. Only the
 * classes that say "this address cannot receive mail" suppress the recipient: a block of the
 * sending IP or a policy refusal says nothing about the recipient and must never suppress it.
 */
public enum BounceClass {
    INVALID_RECIPIENT(true),
    BAD_DOMAIN(true),
    MAILBOX_FULL(false),
    MESSAGE_TOO_LARGE(false),
    SPAM_BLOCK(false),
    POLICY(false),
    SENDER_REPUTATION_BLOCK(false),
    TRANSIENT(false),
    EXPIRED(false),
    OTHER(false);

    private final boolean suppressesRecipient;

    BounceClass(boolean suppressesRecipient) {
        this.suppressesRecipient = suppressesRecipient;
    }

    public boolean suppressesRecipient() {
        return suppressesRecipient;
    }
}
