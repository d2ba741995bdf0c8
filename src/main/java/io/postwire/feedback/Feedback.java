package io.postwire.feedback;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@link FeedbackReader} made of one inbound message: a delivery status notification, an
 * abuse report, or something it cannot use. {@code recipientId} is the send the report is about
 * when the reader could tell (VERP token first, then the returned {@code X-Postwire-Id}); the
 * caller looks the send up by it.
 */
public sealed interface Feedback {

    /** The recipientId the report names, if any. */
    Optional<String> recipientId();

    /** A delivery status notification (RFC 3464, or RFC 6533 for the global form). */
    record DeliveryReport(
            String reportingMta,
            Instant arrivalDate,
            List<RecipientStatus> recipients,
            OriginalMessage original,
            Optional<String> recipientId) implements Feedback {

        public DeliveryReport {
            recipients = List.copyOf(recipients);
            if (recipients.isEmpty()) {
                throw new IllegalArgumentException("a delivery report has at least one recipient");
            }
            if (original == null) {
                original = OriginalMessage.NONE;
            }
            if (recipientId == null) {
                recipientId = Optional.empty();
            }
        }

        DeliveryReport withRecipientId(Optional<String> id) {
            return new DeliveryReport(reportingMta, arrivalDate, recipients, original, id);
        }

        /**
         * The groups that are about the send to {@code address}. Postwire sends one recipient per
         * transaction, so a report about a Postwire message concerns one recipient; a group that
         * names a different address is an alias rewrite when it is the only one, and someone
         * else (a list or alias expansion) when there are several, so it is not taken.
         */
        public List<RecipientStatus> about(String address) {
            List<RecipientStatus> named = recipients.stream().filter(r -> r.isAbout(address)).toList();
            if (!named.isEmpty()) {
                return named;
            }
            return recipients.size() == 1 ? recipients : List.of();
        }
    }

    /** An abuse or feedback report (ARF, RFC 5965). */
    record ComplaintReport(
            ComplaintFields fields,
            OriginalMessage original,
            Optional<String> recipientId) implements Feedback {

        public ComplaintReport {
            if (fields == null) {
                throw new IllegalArgumentException("fields are required");
            }
            if (original == null) {
                original = OriginalMessage.NONE;
            }
            if (recipientId == null) {
                recipientId = Optional.empty();
            }
        }

        ComplaintReport withRecipientId(Optional<String> id) {
            return new ComplaintReport(fields, original, id);
        }
    }

    /** Not a report Postwire understands; {@code reason} is for the log. */
    record Unrecognised(String reason) implements Feedback {

        @Override
        public Optional<String> recipientId() {
            return Optional.empty();
        }
    }
}
