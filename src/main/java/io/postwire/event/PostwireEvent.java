package io.postwire.event;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Every fact Postwire records about a send. The set is closed: a consumer that handles each
 * permitted type handles everything that can appear on the topics.
 *
 * <p>All events are per recipient: one message to three people is three independent stories,
 * each ending in exactly one terminal event ({@link #terminal()}). Feedback that comes back by mail
 * later ({@link Complained}, a DSN {@link Bounced}) may follow the terminal event.
 */
public sealed interface PostwireEvent
        permits SendRequested, RetryScheduled, Delivered, Deferred, Bounced, Rejected, Expired, Complained {

    /** The message this recipient's send belongs to. */
    String messageId();

    /** Identifies one (message, recipient) pair for its whole life. */
    String recipientId();

    /** Envelope sender (MAIL FROM). */
    String sender();

    /** Envelope recipient (RCPT TO). */
    String recipient();

    /** Written into the JSON for readers that group by domain; derived, so ignored on read. */
    @JsonProperty(value = "recipientDomain", access = JsonProperty.Access.READ_ONLY)
    default String recipientDomain() {
        return Addresses.domainOf(recipient());
    }

    @JsonProperty(value = "senderDomain", access = JsonProperty.Access.READ_ONLY)
    default String senderDomain() {
        return Addresses.domainOf(sender());
    }

    /** True for the events that end a recipient's story: nothing follows them. */
    default boolean terminal() {
        return false;
    }
}
