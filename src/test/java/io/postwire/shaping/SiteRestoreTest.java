package io.postwire.shaping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.event.SiteEvent;
import io.postwire.event.SiteResumed;
import io.postwire.event.SiteSuspended;
import io.postwire.event.SiteThrottled;
import io.postwire.event.SmtpReply;
import io.postwire.testsupport.MutableClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A restarted dispatcher takes up each site's latest event: the first shaper plays the process
 * before the restart, a second one on the same clock the process after it.
 */
class SiteRestoreTest {

    private static final SmtpReply RATE_LIMITED = SmtpReply.parse(451,
            "4.7.650 The mail server [203.0.113.9] has been temporarily rate limited due to IP reputation.");

    private final MutableClock clock = new MutableClock("2026-11-27T10:00:00Z");
    private final SiteShaper before = new SiteShaper(ShapingConfig.shipped(), clock);
    private final SiteShaper after = new SiteShaper(ShapingConfig.shipped(), clock);
    private final SiteKey outlook = SiteKey.of("outlook");

    @Test
    void anOperatorsSuspensionHoldsAfterARestartUntilItsEnd() {
        SiteEvent suspended = before.suspend(outlook, Duration.ofHours(1), "provider asked us to pause");
        clock.advance(Duration.ofMinutes(10));

        assertTrue(after.restore(suspended));
        Admission a = after.admit(outlook);
        Admission.Suspended s = assertInstanceOf(Admission.Suspended.class, a, "no mail to a suspended site");
        assertEquals(clock.instant().plus(Duration.ofMinutes(50)), s.until());
        SiteSnapshot snap = after.snapshot(outlook).orElseThrow();
        assertEquals(SiteSnapshot.State.SUSPENDED, snap.state());
        assertEquals("operator: provider asked us to pause", snap.reason());

        clock.advance(Duration.ofMinutes(50));
        List<SiteEvent> ended = after.tick();
        assertEquals(1, ended.size());
        assertInstanceOf(SiteResumed.class, ended.get(0));
        assertInstanceOf(Admission.Permit.class, after.admit(outlook));
    }

    @Test
    void aThrottleHoldsItsReducedRateAndRampsOnFromItsRecordedStep() {
        SiteThrottled cut = (SiteThrottled) before.observe(outlook, RATE_LIMITED, false).orElseThrow();
        assertEquals("600/h", cut.limits().messageRate().toString());
        clock.advance(Duration.ofMinutes(2));

        assertTrue(after.restore(cut));
        assertEquals("600/h", after.limits(outlook).messageRate().toString(), "the cut survives");
        assertInstanceOf(Admission.Permit.class, after.admit(outlook));
        Admission.WaitUntil w = assertInstanceOf(Admission.WaitUntil.class, after.admit(outlook));
        assertEquals(clock.instant().plusSeconds(6), w.at(), "600/h is one message every 6 s");

        assertTrue(after.tick().isEmpty(), "the next step is 5 min after the cut, not after the restart");
        clock.advance(Duration.ofMinutes(3));
        SiteThrottled step = assertInstanceOf(SiteThrottled.class, after.tick().get(0));
        assertEquals("720/h", step.limits().messageRate().toString());
    }

    @Test
    void aSuspensionThatEndedWhileDownRestoresNothingAtTheConfiguredLimits() {
        SiteEvent suspended = before.suspend(outlook, Duration.ofMinutes(5), "short");
        clock.advance(Duration.ofMinutes(6));
        assertFalse(after.restore(suspended));
        assertInstanceOf(Admission.Permit.class, after.admit(outlook));
        assertEquals(SiteSnapshot.State.ACTIVE, after.snapshot(outlook).orElseThrow().state());
    }

    @Test
    void aResumptionRestoresNothingAndHoldsNoState() {
        before.suspend(outlook, Duration.ofHours(1), "x");
        SiteEvent resumed = before.resume(outlook, "done");
        assertFalse(after.restore(resumed));
        assertEquals(0, after.size(), "nothing to hold for a site at its configured limits");
    }

    @Test
    void anAutomaticSuspensionAfterAThrottleComesBackWithItsReducedLimits() {
        before.observe(outlook, RATE_LIMITED, false).orElseThrow();
        SiteSuspended s = (SiteSuspended) before.suspend(outlook, Duration.ofMinutes(30), "x");
        assertEquals("600/h", s.limits().messageRate().toString());
        clock.advance(Duration.ofMinutes(31));

        assertTrue(after.restore(s), "ended, but its limits were still reduced");
        assertEquals(SiteSnapshot.State.THROTTLED, after.snapshot(outlook).orElseThrow().state());
        SiteThrottled step = assertInstanceOf(SiteThrottled.class, after.tick().get(0), "ramps on at once");
        assertEquals("720/h", step.limits().messageRate().toString());
    }
}
