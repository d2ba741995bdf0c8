package io.postwire.projection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.postwire.event.BounceClass;
import io.postwire.event.Bounced;
import io.postwire.event.Complained;
import io.postwire.event.Delivered;
import io.postwire.event.EventEnvelope;
import io.postwire.event.PostwireEvent;
import io.postwire.event.SmtpReply;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which facts put a recipient on the suppression list, and with what reason (no database needed). */
class SuppressionProjectorTest {

    private static final Instant T = Instant.parse("2026-11-29T08:00:00Z");

    private static EventEnvelope envelope(PostwireEvent e) {
        return new EventEnvelope("ev-1", "postwire/feedback", T, 1, e);
    }

    private static Bounced dsnBounce(BounceClass c) {
        return new Bounced("m", "m.1", "a@example.test", "Bob@Dest.Test", 1, SmtpReply.parse(550, "5.7.1 blocked"),
                "mx.dest.test", c, Bounced.SOURCE_DSN);
    }

    @Test
    void aComplaintSuppressesWithReasonComplaint() {
        Suppression s = SuppressionProjector.suppressionFor(envelope(new Complained("m", "m.1", "a@example.test",
                "Bob@Dest.Test", "abuse", "ExampleFBL/1.0", null, null, null)));
        assertEquals("complaint", s.reason);
        assertEquals("bob@dest.test", s.address);
        assertNull(s.bounceClass);
        assertEquals("m.1", s.sourceRecipientId);
        assertEquals(T, s.suppressedAt);
    }

    @Test
    void aNotSpamReportDoesNotSuppress() {
        assertNull(SuppressionProjector.suppressionFor(envelope(new Complained("m", "m.1", "a@example.test",
                "b@dest.test", "not-spam", "ExampleFBL/1.0", null, null, null))));
    }

    @Test
    void aDsnBounceSuppressesOnlyWhenItsClassSays() {
        Suppression s = SuppressionProjector.suppressionFor(envelope(dsnBounce(BounceClass.INVALID_RECIPIENT)));
        assertEquals("hard-bounce", s.reason);
        assertEquals("INVALID_RECIPIENT", s.bounceClass);
        assertNull(SuppressionProjector.suppressionFor(envelope(dsnBounce(BounceClass.SENDER_REPUTATION_BLOCK))));
        assertNull(SuppressionProjector.suppressionFor(envelope(dsnBounce(BounceClass.POLICY))));
    }

    @Test
    void deliveriesDoNotSuppress() {
        assertNull(SuppressionProjector.suppressionFor(envelope(new Delivered("m", "m.1", "a@example.test",
                "b@dest.test", 1, SmtpReply.parse(250, "ok"), "h", true, T))));
    }
}
