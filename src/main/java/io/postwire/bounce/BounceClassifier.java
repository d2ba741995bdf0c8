package io.postwire.bounce;

import io.postwire.event.BounceClass;
import io.postwire.event.SmtpReply;
import java.util.Locale;

/**
 * The one place that decides why a reply refused a recipient. It reads the RFC 3463 enhanced
 * status code (class.subject.detail) first, because it is meant for machines, and the text only
 * where providers overload a code (e.g. {@code 5.7.1} for both "blocked IP" and "policy").
 */
public final class BounceClassifier {

    private BounceClassifier() {
    }

    public static BounceClass classify(SmtpReply reply) {
        if (reply.isTransient()) {
            return BounceClass.TRANSIENT;
        }
        String text = reply.text().toLowerCase(Locale.ROOT);
        // Sender-side blocks first: they must never suppress the recipient whatever the code says.
        if (text.contains("block list") || text.contains("blocklist") || text.contains("blacklist")
                || text.contains("spamhaus") || text.contains("ip reputation")) {
            return BounceClass.SENDER_REPUTATION_BLOCK;
        }
        String code = reply.enhancedCode();
        if (code == null) {
            // RFC 5321 §4.2.3: 550/553 are mailbox-level refusals when no enhanced code says otherwise.
            return reply.code() == 550 || reply.code() == 553 ? BounceClass.INVALID_RECIPIENT : BounceClass.OTHER;
        }
        String subjectDetail = code.substring(2);
        switch (subjectDetail) {
            case "1.1", "1.3", "1.6", "2.1":
                return BounceClass.INVALID_RECIPIENT; // bad mailbox, bad syntax, moved, disabled
            case "1.2", "4.4":
                return BounceClass.BAD_DOMAIN; // bad destination system, unable to route
            case "2.2":
                return BounceClass.MAILBOX_FULL;
            case "2.3", "3.4":
                return BounceClass.MESSAGE_TOO_LARGE;
            case "5.0":
                // Outlook.com answers "550 5.5.0 Requested action not taken: mailbox unavailable".
                return text.contains("mailbox unavailable") ? BounceClass.INVALID_RECIPIENT : BounceClass.OTHER;
            default:
                break;
        }
        if (subjectDetail.startsWith("7.")) {
            return text.contains("spam") ? BounceClass.SPAM_BLOCK : BounceClass.POLICY;
        }
        return BounceClass.OTHER;
    }
}
