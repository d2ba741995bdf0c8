package io.postwire.shaping;

import io.postwire.testsupport.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.event.SiteEvent;
import io.postwire.event.SiteLimits;
import io.postwire.event.SiteResumed;
import io.postwire.event.SiteSuspended;
import io.postwire.event.SiteThrottled;
import io.postwire.event.SmtpReply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Throttle, suspend, ramp back, operator control and the snapshot, on a fake clock. */
class AdaptiveBackoffTest {

    private static final SmtpReply RATE_LIMITED = SmtpReply.parse(451,
            "4.7.650 The mail server [203.0.113.9] has been temporarily rate limited due to IP reputation.");
    private static final SmtpReply BLOCKED = SmtpReply.parse(550, "5.7.1 Unfortunately, messages from [203.0.113.9] "
            + "weren't sent. Please contact your Internet service provider since part of their network is on our "
            + "block list (S3150).");
    private static final SmtpReply TOO_MANY = SmtpReply.parse(421, "4.7.0 Too many connections, try again later");

    private final MutableClock clock = new MutableClock("2026-11-27T10:00:00Z");
    private final SiteShaper shaper = new SiteShaper(ShapingConfig.shipped(), clock);
    private final SiteKey outlook = SiteKey.of("outlook");
    private final SiteLimits configured = ShapingConfig.shipped().limitsFor("outlook");

    @Test
    void aThrottleCutsTheRateThenRampsBackOneStepPerQuietInterval() {
        Instant t0 = clock.instant();
        SiteThrottled cut = (SiteThrottled) shaper.observe(outlook, RATE_LIMITED, false).orElseThrow();
        assertEquals("600/h", cut.limits().messageRate().toString());
        assertEquals(configured.maxConnections(), cut.limits().maxConnections(), "scope RATE leaves connections");
        assertEquals("outlook-ip-reputation", cut.rule());
        assertEquals(t0.plus(Duration.ofMinutes(5)), cut.nextStepAt());
        assertFalse(cut.manual());

        List<String> rates = new ArrayList<>();
        SiteEvent last = null;
        for (int minute = 1; minute <= 40 && !(last instanceof SiteResumed); minute++) {
            clock.advance(Duration.ofMinutes(1));
            for (SiteEvent e : shaper.tick()) {
                rates.add(e.getClass().getSimpleName() + " " + e.limits().messageRate());
                last = e;
            }
        }
        assertEquals(List.of("SiteThrottled 720/h", "SiteThrottled 840/h", "SiteThrottled 960/h",
                "SiteThrottled 1080/h", "SiteResumed 1200/h"), rates, "one step per 5 quiet minutes");
        assertEquals(t0.plus(Duration.ofMinutes(25)), clock.instant(), "cut at 0, steps at 5, 10, 15, 20, 25 min");
        assertEquals(configured, last.limits());
        assertEquals(SiteSnapshot.State.ACTIVE, shaper.snapshot(outlook).orElseThrow().state());
    }

    @Test
    void theThrottledRateIsWhatAdmissionEnforces() {
        shaper.observe(outlook, RATE_LIMITED, false);
        assertInstanceOf(Admission.Permit.class, shaper.admit(outlook));
        Admission.WaitUntil w = (Admission.WaitUntil) shaper.admit(outlook);
        assertEquals(clock.instant().plusSeconds(6), w.at(), "600/h is one message every 6 s");
        assertTrue(w.reason().contains("600/h"), w.reason());
    }

    @Test
    void repliesDuringTheCooldownDoNotCutAgainButHoldTheRamp() {
        shaper.observe(outlook, RATE_LIMITED, false).orElseThrow();
        clock.advance(Duration.ofSeconds(30));
        assertEquals(Optional.empty(), shaper.observe(outlook, RATE_LIMITED, false), "in flight before the cut");
        clock.advance(Duration.ofSeconds(40));
        SiteThrottled second = (SiteThrottled) shaper.observe(outlook, RATE_LIMITED, false).orElseThrow();
        assertEquals("300/h", second.limits().messageRate().toString(), "a second cut after the cooldown");
        clock.advance(Duration.ofMinutes(4));
        shaper.observe(outlook, RATE_LIMITED, false); // a third cut: the ramp clock starts again
        clock.advance(Duration.ofMinutes(4));
        assertEquals(List.of(), shaper.tick(), "not quiet for 5 minutes yet");
    }

    @Test
    void throttlesStopAtTheFloor() {
        SiteThrottled last = null;
        for (int i = 0; i < 20; i++) {
            Optional<SiteEvent> e = shaper.observe(outlook, RATE_LIMITED, false);
            if (e.isPresent()) {
                last = (SiteThrottled) e.get();
            }
            clock.advance(Duration.ofMinutes(2));
        }
        assertEquals("60/h", last.limits().messageRate().toString(), "min-factor 0.05 of 1200/h");
    }

    @Test
    void tooManyConnectionsCutsConnectionsNotTheRate() {
        SiteThrottled cut = (SiteThrottled) shaper.observe(outlook, TOO_MANY, false).orElseThrow();
        assertEquals(configured.maxConnections() / 2, cut.limits().maxConnections());
        assertEquals(configured.messageRate(), cut.limits().messageRate());
        assertEquals("10/min", cut.limits().connectionRate().toString());
    }

    @Test
    void aCutBelowTheOpenConnectionsAsksThePoolToCloseTheSurplus() {
        for (int i = 0; i < 5; i++) {
            assertInstanceOf(Admission.Permit.class, shaper.openConnection(outlook));
            clock.advance(Duration.ofSeconds(3));
        }
        assertFalse(shaper.overConnectionLimit(outlook));
        shaper.observe(outlook, TOO_MANY, false);
        assertTrue(shaper.overConnectionLimit(outlook));
        assertInstanceOf(Admission.Busy.class, shaper.openConnection(outlook));
        shaper.connectionClosed(outlook);
        shaper.connectionClosed(outlook);
        shaper.connectionClosed(outlook);
        assertFalse(shaper.overConnectionLimit(outlook));
    }

    @Test
    void aBlockListReplySuspendsForAnHourAndTheEndIsASiteResumed() {
        Instant t0 = clock.instant();
        SiteSuspended s = (SiteSuspended) shaper.observe(outlook, BLOCKED, false).orElseThrow();
        assertEquals(t0.plus(Duration.ofHours(1)), s.until());
        assertEquals("outlook-blocklist", s.rule());
        assertEquals(new Admission.Suspended(s.until(), s.reason()), shaper.admit(outlook));
        assertInstanceOf(Admission.Suspended.class, shaper.openConnection(outlook));
        assertEquals(Optional.empty(), shaper.observe(outlook, BLOCKED, false), "late replies do not extend it");

        clock.set(t0.plus(Duration.ofMinutes(59)));
        assertEquals(List.of(), shaper.tick());
        clock.set(t0.plus(Duration.ofHours(1)));
        List<SiteEvent> events = shaper.tick();
        assertEquals(1, events.size());
        SiteResumed r = assertInstanceOf(SiteResumed.class, events.get(0));
        assertEquals(configured, r.limits());
        assertFalse(r.manual());
        assertInstanceOf(Admission.Permit.class, shaper.admit(outlook));
    }

    @Test
    void aSuspensionOfAThrottledSiteEndsInTheThrottleWhichKeepsRamping() {
        shaper.observe(outlook, RATE_LIMITED, false);
        clock.advance(Duration.ofMinutes(2));
        SiteSuspended s = (SiteSuspended) shaper.observe(outlook, BLOCKED, false).orElseThrow();
        assertEquals("600/h", s.limits().messageRate().toString(), "limits that apply afterwards");
        clock.set(s.until());
        SiteThrottled after = (SiteThrottled) shaper.tick().get(0);
        assertEquals("600/h", after.limits().messageRate().toString());
        assertTrue(after.reason().startsWith("suspension ended"), after.reason());
    }

    @Test
    void anExpiredSuspensionStopsHoldingMailEvenBeforeTheTick() {
        SiteSuspended s = (SiteSuspended) shaper.observe(outlook, BLOCKED, false).orElseThrow();
        clock.set(s.until());
        assertInstanceOf(Admission.Permit.class, shaper.admit(outlook));
        assertInstanceOf(SiteResumed.class, shaper.tick().get(0));
    }

    @Test
    void operatorsSuspendAndResume() {
        SiteSuspended s = (SiteSuspended) shaper.suspend(outlook, Duration.ofMinutes(30), "maintenance at Contoso");
        assertTrue(s.manual());
        assertNull(s.reply());
        assertEquals("operator: maintenance at Contoso", s.reason());
        assertEquals(clock.instant().plus(Duration.ofMinutes(30)), s.until());
        assertInstanceOf(Admission.Suspended.class, shaper.admit(outlook));

        shaper.observe(outlook, RATE_LIMITED, false);
        SiteResumed r = (SiteResumed) shaper.resume(outlook);
        assertTrue(r.manual());
        assertEquals(configured, r.limits());
        assertInstanceOf(Admission.Permit.class, shaper.admit(outlook));
        assertEquals(List.of(), shaper.tick(), "nothing left to end or ramp");
        assertThrows(IllegalArgumentException.class, () -> shaper.suspend(outlook, Duration.ZERO, "x"));
    }

    @Test
    void anOperatorResumeLiftsAThrottleAtOnce() {
        shaper.observe(outlook, RATE_LIMITED, false);
        assertEquals(configured, shaper.resume(outlook, "delisted").limits());
        assertEquals(configured, shaper.limits(outlook));
    }

    @Test
    void networkFailuresAreRecordedButNeverThrottle() {
        assertEquals(Optional.empty(), shaper.observe(outlook, null, true));
        SiteSnapshot snap = shaper.snapshot(outlook).orElseThrow();
        assertEquals(clock.instant(), snap.lastNetworkFailureAt());
        assertEquals(SiteSnapshot.State.ACTIVE, snap.state());
    }

    @Test
    void theSnapshotShowsWhyMailIsWaiting() {
        shaper.openConnection(outlook);
        shaper.admit(outlook);
        shaper.queued(outlook, 42, Instant.parse("2026-11-27T09:30:00Z"));
        clock.advance(Duration.ofSeconds(5));
        shaper.observe(outlook, RATE_LIMITED, false);
        shaper.observe(SiteKey.of("gmail"), SmtpReply.parse(250, "2.0.0 OK"), false);

        List<SiteSnapshot> all = shaper.snapshot();
        assertEquals(List.of(SiteKey.of("gmail"), outlook), all.stream().map(SiteSnapshot::key).toList());
        SiteSnapshot o = all.get(1);
        assertEquals(SiteSnapshot.State.THROTTLED, o.state());
        assertEquals(configured, o.configured());
        assertEquals("600/h", o.effective().messageRate().toString());
        assertEquals(clock.instant().plus(Duration.ofMinutes(5)), o.until());
        assertEquals(1, o.openConnections());
        assertEquals(1, o.sentToday());
        assertEquals(RATE_LIMITED, o.lastReply());
        assertEquals(clock.instant(), o.lastReplyAt());
        assertEquals(42, o.queued());
        assertEquals(Instant.parse("2026-11-27T09:30:00Z"), o.oldestQueued());
        assertTrue(o.reason().contains("outlook-ip-reputation"), o.reason());

        shaper.queued(outlook, 0, null);
        assertEquals(0, shaper.snapshot(outlook).orElseThrow().queued());
        assertNull(shaper.snapshot(outlook).orElseThrow().oldestQueued());
    }
}
