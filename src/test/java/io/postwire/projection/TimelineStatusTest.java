package io.postwire.projection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.postwire.event.BounceClass;
import io.postwire.event.Bounced;
import io.postwire.event.Complained;
import io.postwire.event.Deferred;
import io.postwire.event.Delivered;
import io.postwire.event.SendRequested;
import io.postwire.event.SmtpReply;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sends and outcomes arrive on different topics, so every order must end in the same status. */
class TimelineStatusTest {

    private static final SendRequested REQUESTED = new SendRequested("m", "m.1", "a@example.test", "b@dest.test", null,
            List.of(), null, "s", "t", null, null, Map.of(), List.of(), null, Instant.EPOCH, null);
    private static final Deferred DEFERRED = new Deferred("m", "m.1", "a@example.test", "b@dest.test", 1,
            SmtpReply.parse(451, "4.3.0 later"), null, "h", Instant.EPOCH);
    private static final Delivered DELIVERED = new Delivered("m", "m.1", "a@example.test", "b@dest.test", 2,
            SmtpReply.parse(250, "ok"), "h", false, Instant.EPOCH);
    private static final Bounced BOUNCED = new Bounced("m", "m.1", "a@example.test", "b@dest.test", 1,
            SmtpReply.parse(550, "5.1.1 no"), "h", BounceClass.INVALID_RECIPIENT);

    @Test
    void inOrder() {
        String s = TimelineStatus.evolve(null, REQUESTED);
        assertEquals("queued", s);
        s = TimelineStatus.evolve(s, DEFERRED);
        assertEquals("deferred", s);
        assertEquals("delivered", TimelineStatus.evolve(s, DELIVERED));
    }

    @Test
    void outcomeBeforeRequestKeepsTheOutcome() {
        assertEquals("delivered", TimelineStatus.evolve(TimelineStatus.evolve(null, DELIVERED), REQUESTED));
        assertEquals("deferred", TimelineStatus.evolve(TimelineStatus.evolve(null, DEFERRED), REQUESTED));
    }

    private static final Bounced DSN_BOUNCE = new Bounced("m", "m.1", "a@example.test", "b@dest.test", 1,
            SmtpReply.parse(550, "5.1.1 no"), null, BounceClass.INVALID_RECIPIENT, Bounced.SOURCE_DSN);
    private static final Complained COMPLAINED = new Complained("m", "m.1", "a@example.test", "b@dest.test", "abuse",
            "FBL/1.0", null, null, null);

    @Test
    void aBounceThatCameBackByMailOverridesDelivered() {
        assertEquals("bounced", TimelineStatus.evolve("delivered", DSN_BOUNCE));
        assertEquals("bounced", TimelineStatus.evolve(TimelineStatus.evolve("bounced", DSN_BOUNCE), REQUESTED));
        // Only a DSN may: a second session bounce after delivery is a replayed attempt, not news.
        assertEquals("delivered", TimelineStatus.evolve("delivered", BOUNCED));
        assertEquals("expired", TimelineStatus.evolve("expired", DSN_BOUNCE));
    }

    @Test
    void aComplaintKeepsTheStatus() {
        assertEquals("delivered", TimelineStatus.evolve("delivered", COMPLAINED));
        assertEquals(null, TimelineStatus.evolve(null, COMPLAINED));
    }

    @Test
    void terminalIsFinal() {
        assertEquals("bounced", TimelineStatus.evolve("bounced", DEFERRED));
        assertEquals("bounced", TimelineStatus.evolve("bounced", DELIVERED));
    }
}
