package io.postwire.feedback;

import io.postwire.feedback.Feedback.DeliveryReport;
import io.postwire.feedback.RecipientStatus.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the fields of a {@code message/delivery-status} part (RFC 3464 §2.2, §2.3; the UTF-8
 * {@code message/global-delivery-status} of RFC 6533 has the same fields). The first group holds
 * the per-message fields unless it already names a recipient (some MTAs omit the blank line);
 * every group with Final-Recipient, Original-Recipient or Action is one recipient.
 */
public final class DsnParser {

    private static final Pattern STATUS = Pattern.compile("\\b([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");

    private DsnParser() {
    }

    /** Empty when the part names no recipient with a usable action. */
    public static Optional<DeliveryReport> parse(String fields, OriginalMessage original) {
        List<Map<String, String>> groups = FieldGroups.parse(fields);
        if (groups.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> perMessage = groups.get(0);
        List<RecipientStatus> recipients = new ArrayList<>();
        for (Map<String, String> g : groups) {
            if (g.containsKey("final-recipient") || g.containsKey("original-recipient") || g.containsKey("action")) {
                recipient(g).ifPresent(recipients::add);
            }
        }
        if (recipients.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new DeliveryReport(FieldGroups.host(perMessage.get("reporting-mta")),
                MailDates.parse(perMessage.get("arrival-date")), recipients, original, Optional.empty()));
    }

    private static Optional<RecipientStatus> recipient(Map<String, String> g) {
        String status = status(g.get("status"));
        Action action = Action.of(g.get("action"), status);
        String finalRecipient = FieldGroups.address(g.get("final-recipient"));
        String originalRecipient = FieldGroups.address(g.get("original-recipient"));
        if (action == null || (finalRecipient == null && originalRecipient == null)) {
            return Optional.empty();
        }
        String diagnostic = g.get("diagnostic-code");
        return Optional.of(new RecipientStatus(finalRecipient, originalRecipient, action, status,
                FieldGroups.typeOf(diagnostic), FieldGroups.untyped(diagnostic),
                FieldGroups.host(g.get("remote-mta")), MailDates.parse(g.get("last-attempt-date")),
                MailDates.parse(g.get("will-retry-until"))));
    }

    /** {@code 5.1.1}, also out of {@code 5.1.1 (bad mailbox)} or {@code #5.1.1}; null if absent. */
    private static String status(String field) {
        if (field == null) {
            return null;
        }
        Matcher m = STATUS.matcher(field);
        return m.find() ? m.group(1) + "." + Integer.parseInt(m.group(2)) + "." + Integer.parseInt(m.group(3)) : null;
    }
}
