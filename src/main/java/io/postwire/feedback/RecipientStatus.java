package io.postwire.feedback;

import java.time.Instant;
import java.util.Locale;

/**
 * One per-recipient group of a delivery status notification (RFC 3464 §2.3).
 *
 * @param finalRecipient Final-Recipient address (the one the reporting MTA tried)
 * @param originalRecipient Original-Recipient address (as Postwire sent it), often absent
 * @param action what happened to the message for this recipient
 * @param status the RFC 3463 Status code such as {@code 5.1.1}, or null when missing or garbled
 * @param diagnosticType the Diagnostic-Code type, lower-cased ({@code smtp}, {@code x-postfix}), or null
 * @param diagnostic the Diagnostic-Code text without its type, unfolded, or null
 * @param remoteMta the Remote-MTA host without its type, or null
 * @param lastAttempt Last-Attempt-Date, or null
 * @param willRetryUntil Will-Retry-Until (delay reports), or null
 */
public record RecipientStatus(
        String finalRecipient,
        String originalRecipient,
        Action action,
        String status,
        String diagnosticType,
        String diagnostic,
        String remoteMta,
        Instant lastAttempt,
        Instant willRetryUntil) {

    public RecipientStatus {
        if (action == null) {
            throw new IllegalArgumentException("action is required");
        }
    }

    /** RFC 3464 §2.3.3 action values. */
    public enum Action {
        FAILED, DELAYED, DELIVERED, RELAYED, EXPANDED;

        /**
         * The action named in the field, or inferred from the status class when the field is
         * missing or unknown (5 failed, 4 delayed, 2 delivered); null when neither tells.
         */
        static Action of(String field, String status) {
            if (field != null) {
                String word = field.strip().split("[\\s(;]", 2)[0].toUpperCase(Locale.ROOT);
                for (Action a : values()) {
                    if (a.name().equals(word)) {
                        return a;
                    }
                }
            }
            if (status == null) {
                return null;
            }
            switch (status.charAt(0)) {
                case '5':
                    return FAILED;
                case '4':
                    return DELAYED;
                default:
                    return DELIVERED;
            }
        }
    }

    /** True when this group is about {@code address}, by either recipient field. */
    public boolean isAbout(String address) {
        return address.equalsIgnoreCase(finalRecipient) || address.equalsIgnoreCase(originalRecipient);
    }
}
