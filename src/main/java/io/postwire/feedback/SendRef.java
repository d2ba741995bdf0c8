package io.postwire.feedback;

/**
 * The send a report is about, as the caller found it from {@link Feedback#recipientId()}. The
 * events carry these fields, never the addresses in the report, which are redacted or rewritten
 * often enough (and forgeable) that they must not decide whom an event is about.
 *
 * @param attempt the attempt the report answers, when the caller knows it; 1 otherwise
 */
public record SendRef(String messageId, String recipientId, String sender, String recipient, int attempt) {

    public SendRef {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1");
        }
    }

    public SendRef(String messageId, String recipientId, String sender, String recipient) {
        this(messageId, recipientId, sender, recipient, 1);
    }
}
