package io.postwire.feedback;

import io.postwire.bounce.BounceClassifier;
import io.postwire.event.Bounced;
import io.postwire.event.Complained;
import io.postwire.event.Deferred;
import io.postwire.event.PostwireEvent;
import io.postwire.event.SmtpReply;
import io.postwire.feedback.Feedback.ComplaintReport;
import io.postwire.feedback.Feedback.DeliveryReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps a {@link Feedback} about a known send to the events to record. Pure.
 *
 * <ul>
 *   <li>DSN {@code failed} → {@link Bounced} with source {@code dsn}, the reply from
 *       {@link DsnReply} and the class from {@link BounceClassifier}; remoteHost is Remote-MTA.</li>
 *   <li>DSN {@code delayed} → {@link Deferred}. A delay notice does not say when the relay tries
 *       again, so {@code nextAttemptAt} is the time the notice was received.</li>
 *   <li>DSN {@code delivered}, {@code relayed}, {@code expanded} → nothing: the story already ended
 *       in Delivered, and a relay's success adds no fact Postwire acts on.</li>
 *   <li>ARF → {@link Complained}, except {@code auth-failure} (RFC 6591), which reports a failed
 *       DKIM/SPF check to the domain owner and says nothing about what the recipient did.</li>
 * </ul>
 */
public final class FeedbackEvents {

    /** RFC 6591 feedback type: an authentication failure report, not a complaint. */
    static final String AUTH_FAILURE = "auth-failure";
    /** Written when a report has no User-Agent, which Complained requires. */
    static final String UNKNOWN_AGENT = "unknown";

    private FeedbackEvents() {
    }

    public static List<PostwireEvent> toEvents(Feedback report, SendRef ref, Instant receivedAt) {
        if (report instanceof DeliveryReport d) {
            return delivery(d, ref, receivedAt);
        }
        if (report instanceof ComplaintReport c) {
            return complaint(c, ref);
        }
        return List.of();
    }

    private static List<PostwireEvent> delivery(DeliveryReport d, SendRef ref, Instant receivedAt) {
        List<PostwireEvent> events = new ArrayList<>();
        for (RecipientStatus s : d.about(ref.recipient())) {
            switch (s.action()) {
                case FAILED: {
                    SmtpReply reply = DsnReply.of(s);
                    events.add(new Bounced(ref.messageId(), ref.recipientId(), ref.sender(), ref.recipient(),
                            ref.attempt(), reply, s.remoteMta(), BounceClassifier.classify(reply), Bounced.SOURCE_DSN));
                    break;
                }
                case DELAYED: {
                    SmtpReply reply = DsnReply.of(s);
                    // Deferred carries a transient reply or, when the report's status is not 4.x.x, a reason.
                    String failure = reply.isTransient() ? null : "delayed, reported by " + reportedBy(d, s);
                    events.add(new Deferred(ref.messageId(), ref.recipientId(), ref.sender(), ref.recipient(),
                            ref.attempt(), failure == null ? reply : null, failure, s.remoteMta(), receivedAt));
                    break;
                }
                default:
                    break;
            }
        }
        return events;
    }

    private static List<PostwireEvent> complaint(ComplaintReport c, SendRef ref) {
        ComplaintFields f = c.fields();
        if (AUTH_FAILURE.equals(f.feedbackType())) {
            return List.of();
        }
        return List.of(new Complained(ref.messageId(), ref.recipientId(), ref.sender(), ref.recipient(),
                f.feedbackType(), f.userAgent() == null ? UNKNOWN_AGENT : f.userAgent(), f.sourceIp(),
                f.arrivalDate(), f.reportingMta()));
    }

    private static String reportedBy(DeliveryReport d, RecipientStatus s) {
        return s.remoteMta() != null ? s.remoteMta() : d.reportingMta() != null ? d.reportingMta() : "the relay";
    }
}
