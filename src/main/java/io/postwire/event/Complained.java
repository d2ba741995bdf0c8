package io.postwire.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.Locale;

/**
 * A mailbox provider reported that the recipient marked this message as unwanted, through a
 * feedback loop (ARF, RFC 5965). Not terminal: it arrives after {@link Delivered}, often days
 * later, and records what the recipient did with a message that was already delivered.
 *
 * <p>{@code feedbackType} is the report's Feedback-Type, lower-cased ({@code abuse},
 * {@code fraud}, {@code virus}, {@code other}, {@code not-spam}, ...). {@code sourceIp},
 * {@code arrivalDate} and {@code reportingMta} are copied from the report when it has them.
 */
public record Complained(
        String messageId,
        String recipientId,
        String sender,
        String recipient,
        String feedbackType,
        String userAgent,
        String sourceIp,
        Instant arrivalDate,
        String reportingMta) implements PostwireEvent {

    /** RFC 6430: the reporter says the message is NOT spam, so it must not count against anyone. */
    public static final String NOT_SPAM = "not-spam";

    public Complained {
        Require.story(messageId, recipientId, sender, recipient);
        feedbackType = Require.text("feedbackType", feedbackType).strip().toLowerCase(Locale.ROOT);
        userAgent = Require.text("userAgent", userAgent);
    }

    /**
     * Whether the complaint should stop further mail to the recipient. Every report type says the
     * recipient (or their provider) objected, except {@code not-spam}, which says the opposite.
     */
    @JsonIgnore
    public boolean suppressesRecipient() {
        return !NOT_SPAM.equals(feedbackType);
    }
}
