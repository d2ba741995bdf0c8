package io.postwire.feedback;

import io.postwire.feedback.Feedback.Unrecognised;
import java.io.IOException;
import java.util.Optional;
import org.apache.james.mime4j.dom.Message;

/**
 * Turns one message received for the bounce domain ({@code b+<token>@} from VERP return paths,
 * {@code fbl@} from feedback loops) into a {@link Feedback}. Pure: no I/O beyond the bytes given.
 *
 * <p>The send is named by, in order: the VERP token of the envelope recipient (it cannot be
 * forged), the token in an ARF report's Original-Mail-From, the token in the returned
 * {@code Return-Path} (feedback loops return the message as delivered), and the returned
 * {@code X-Postwire-Id}. A token that fails verification is
 * ignored rather than fatal: the header may still name the send, and the caller resolves the
 * recipientId to the send's own recipient, so a forged report cannot pick whom it hits.
 */
public final class FeedbackReader {

    private final VerpToken verp;

    public FeedbackReader(VerpToken verp) {
        this.verp = verp;
    }

    /**
     * @param envelopeRecipient the RCPT TO address the message came in for
     * @param rawMessage the message as received (CRLF or LF line ends)
     */
    public Feedback read(String envelopeRecipient, byte[] rawMessage) {
        ReportMessage report;
        try {
            Message message = ReportMessage.parse(rawMessage);
            Optional<ReportMessage> found = ReportMessage.find(message);
            if (found.isEmpty()) {
                return new Unrecognised("not a multipart/report with a delivery-status or feedback-report part");
            }
            report = found.get();
        } catch (IOException | RuntimeException e) {
            // mime4j is lenient; what still fails is not mail we can read, and must not stop the listener.
            return new Unrecognised("unreadable MIME: " + e.getMessage());
        }
        OriginalMessage original = report.original();
        if (report.kind() == ReportMessage.Kind.FEEDBACK_REPORT) {
            return ArfParser.parse(report.fields(), original)
                    .<Feedback>map(r -> r.withRecipientId(recipientId(envelopeRecipient,
                            r.fields().originalMailFrom(), original)))
                    .orElseGet(() -> new Unrecognised("feedback report without Feedback-Type"));
        }
        return DsnParser.parse(report.fields(), original)
                .<Feedback>map(r -> r.withRecipientId(recipientId(envelopeRecipient, null, original)))
                .orElseGet(() -> new Unrecognised("delivery status without a recipient and action"));
    }

    /** {@code reportedMailFrom} is an ARF report's Original-Mail-From: our return path, token and all. */
    private Optional<String> recipientId(String envelopeRecipient, String reportedMailFrom, OriginalMessage original) {
        Optional<String> id = verp.decode(envelopeRecipient);
        if (id.isEmpty()) {
            id = verp.decode(reportedMailFrom);
        }
        if (id.isEmpty()) {
            id = verp.decode(original.returnPath());
        }
        if (id.isEmpty() && original.postwireId() != null) {
            id = Optional.of(original.postwireId());
        }
        return id;
    }
}
