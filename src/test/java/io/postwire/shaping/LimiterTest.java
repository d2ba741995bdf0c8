package io.postwire.shaping;

import io.postwire.testsupport.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.event.SiteLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The limits themselves, on a fake clock: rates, connection caps, daily caps. */
class LimiterTest {

    private final MutableClock clock = new MutableClock("2026-11-27T10:00:00Z");
    private final SiteKey site = SiteKey.of("dest.test");

    private SiteShaper shaper(String... kv) {
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            p.put("postwire.shaping.sites.dest.test." + kv[i], kv[i + 1]);
        }
        return new SiteShaper(ShapingConfigParser.parse(p), clock);
    }

    /** A sender that asks again exactly when told to, for one simulated minute. */
    private int grantsInOneMinute(SiteShaper shaper) {
        Instant end = clock.instant().plusSeconds(60);
        int granted = 0;
        while (clock.instant().isBefore(end)) {
            Admission a = shaper.admit(site);
            if (a instanceof Admission.Permit) {
                granted++;
            } else {
                Instant next = ((Admission.WaitUntil) a).at();
                assertTrue(next.isAfter(clock.instant()), "must never ask to wait for the past");
                clock.set(next);
            }
        }
        return granted;
    }

    @ParameterizedTest
    @CsvSource({"10/s, 600", "1/s, 60", "600/min, 600", "1200/h, 20", "7/s, 420", "0.5/s, 30", "3000/min, 3000"})
    void aRateOfRPerSecondGrantsRTimesSixtyInAMinute(String rate, int expected) {
        int granted = grantsInOneMinute(shaper("message-rate", rate));
        assertTrue(Math.abs(granted - expected) <= 1, rate + " granted " + granted + ", expected " + expected);
    }

    /**
     * Several senders that each ask again when told, but {@code lateMs} late, as a Vert.x timer
     * and a busy event loop make them; a sender given a permit comes back at once with its next
     * message. With {@code reserving}, a wait reserves a slot and the sender starts at that slot,
     * just as late, and asks again. Counts the messages started in one simulated minute.
     */
    private int grantsInOneMinuteAskingLate(SiteShaper shaper, int senders, double lateMs, boolean reserving) {
        long late = Math.round(lateMs * 1_000_000);
        Instant start = clock.instant();
        Instant end = start.plusSeconds(60);
        // when each sender asks next, earliest first
        PriorityQueue<Instant[]> asks = new PriorityQueue<>(Comparator.comparing((Instant[] a) -> a[0]));
        for (int i = 0; i < senders; i++) {
            asks.add(new Instant[] {start});
        }
        int granted = 0;
        while (true) {
            Instant[] next = asks.poll();
            if (!next[0].isBefore(end)) {
                return granted;
            }
            clock.set(next[0]);
            Admission a = reserving ? shaper.reserve(site, Duration.ofSeconds(5)) : shaper.admit(site);
            if (a instanceof Admission.Permit) {
                granted++;
                asks.add(new Instant[] {clock.instant()});
            } else if (a instanceof Admission.Reserved r) {
                assertTrue(r.at().isAfter(clock.instant()), "a reservation is for a later slot");
                if (r.at().isBefore(end)) {
                    granted++;
                }
                asks.add(new Instant[] {r.at().plusNanos(late)});
            } else {
                Instant at = ((Admission.WaitUntil) a).at();
                assertTrue(at.isAfter(clock.instant()), "must never ask to wait for the past");
                asks.add(new Instant[] {at.plusNanos(late)});
            }
        }
    }

    /**
     * The benchmark's finding: admitting at {@code now + interval} lost every late wake-up, so
     * 200/s delivered about 150/s. The schedule must hold whatever the lateness, up to just under
     * one interval, with one sender or many, polling or reserving.
     */
    @ParameterizedTest
    @CsvSource({"200/s, 1, 1, false", "200/s, 1, 10, false", "200/s, 4.9, 10, false", "50/s, 3, 100, false",
            "10/s, 99, 3, false", "200/s, 1, 10, true", "200/s, 4.9, 100, true", "50/s, 19, 1000, true"})
    void sendersThatAskALittleLateStillGetTheFullRate(String rate, double lateMs, int senders, boolean reserving) {
        SiteShaper shaper = shaper("message-rate", rate);
        int expected = (int) Math.round(SiteLimits.Rate.parse(rate).perSecond() * 60);
        int granted = grantsInOneMinuteAskingLate(shaper, senders, lateMs, reserving);
        assertTrue(Math.abs(granted - expected) <= 1, rate + ", " + lateMs + " ms late, " + senders
                + " senders, reserving " + reserving + ": granted " + granted + ", expected " + expected);
    }

    @Test
    void aWaitWithinMaxWaitReservesItsSlotAndTheNextCallerGetsTheNextOne() {
        SiteShaper shaper = shaper("message-rate", "10/s");
        Instant t0 = clock.instant();
        Duration maxWait = Duration.ofSeconds(5);
        assertInstanceOf(Admission.Permit.class, shaper.reserve(site, maxWait));
        for (int i = 1; i <= 3; i++) {
            Admission.Reserved r = assertInstanceOf(Admission.Reserved.class, shaper.reserve(site, maxWait));
            assertEquals(t0.plusMillis(100 * i), r.at(), "waiter " + i + " has its own slot");
        }
        assertEquals(t0.plusMillis(400), ((Admission.WaitUntil) shaper.admit(site)).at(),
                "a plain admit sees the reserved slots taken and reserves nothing");
        assertEquals(t0.plusMillis(500), ((Admission.WaitUntil) shaper.reserve(site, Duration.ofMillis(399))).at(),
                "a wait beyond maxWait reserves nothing (the caller parks), and a second caller told to come "
                        + "back is given the slot after the first one's");
        assertEquals(t0.plusMillis(400), ((Admission.Reserved) shaper.reserve(site, maxWait)).at(),
                "so the slot is still free for the next caller");
        assertEquals(5, shaper.snapshot(site).orElseThrow().sentToday(), "reservations count at once");

        clock.set(t0.plusMillis(100));
        assertInstanceOf(Admission.Permit.class, shaper.claim(site), "a reserved slot needs no second admission");
        clock.set(t0.plusMillis(450));
        assertEquals(t0.plusMillis(600), ((Admission.WaitUntil) shaper.admit(site)).at(),
                "after the reservations and the two promised comebacks (400, 500) the schedule goes on");
    }

    @Test
    void aReservedSlotDoesNotStartDuringASuspensionAndIsGivenBack() {
        SiteShaper shaper = shaper("message-rate", "1/s", "daily-cap", "10");
        assertInstanceOf(Admission.Permit.class, shaper.reserve(site, Duration.ofSeconds(5)));
        Admission.Reserved r = assertInstanceOf(Admission.Reserved.class, shaper.reserve(site, Duration.ofSeconds(5)));
        shaper.suspend(site, Duration.ofHours(1), "blocklisted");
        clock.set(r.at());
        assertInstanceOf(Admission.Suspended.class, shaper.claim(site));
        assertEquals(1, shaper.snapshot(site).orElseThrow().sentToday(), "the parked send no longer counts");
    }

    @Test
    void aQuietSpellBuildsNoBurst() {
        SiteShaper shaper = shaper("message-rate", "10/s");
        assertInstanceOf(Admission.Permit.class, shaper.admit(site));
        clock.advance(Duration.ofMinutes(10));
        assertInstanceOf(Admission.Permit.class, shaper.admit(site));
        assertEquals(clock.instant().plusMillis(100), ((Admission.WaitUntil) shaper.admit(site)).at());
        assertEquals(clock.instant().plusMillis(100),
                ((Admission.Reserved) shaper.reserve(site, Duration.ofSeconds(1))).at());
    }

    @Test
    void connectionsAskedForLateKeepTheConnectionRate() {
        SiteShaper shaper = shaper("max-connections", "100", "connection-rate", "100/s");
        Instant end = clock.instant().plusSeconds(60);
        int opened = 0;
        while (clock.instant().isBefore(end)) {
            Admission a = shaper.openConnection(site);
            if (a instanceof Admission.Permit) {
                opened++;
                shaper.connectionClosed(site);
            } else {
                clock.set(((Admission.WaitUntil) a).at().plusMillis(1)); // a timer firing 1 ms late
            }
        }
        assertTrue(Math.abs(opened - 6000) <= 1, "opened " + opened);
    }

    @Test
    void aSenderThatPollsTooOftenGainsNothing() {
        SiteShaper shaper = shaper("message-rate", "2/s");
        int granted = 0;
        for (int ms = 0; ms < 60_000; ms += 7) {
            if (shaper.admit(site) instanceof Admission.Permit) {
                granted++;
            }
            clock.advance(Duration.ofMillis(7));
        }
        assertTrue(Math.abs(granted - 120) <= 1, "granted " + granted);
    }

    @Test
    void concurrentConnectionsAreCappedAndFreedOnClose() {
        SiteShaper shaper = shaper("max-connections", "3", "connection-rate", "1000/s");
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(Admission.Permit.class, shaper.openConnection(site));
            clock.advance(Duration.ofSeconds(1));
        }
        assertEquals(new Admission.Busy(3, 3), shaper.openConnection(site));
        shaper.connectionClosed(site);
        assertInstanceOf(Admission.Permit.class, shaper.openConnection(site));
        assertEquals(3, shaper.snapshot(site).orElseThrow().openConnections());
    }

    @Test
    void newConnectionsArePacedByTheConnectionRate() {
        SiteShaper shaper = shaper("max-connections", "100", "connection-rate", "6/min");
        assertInstanceOf(Admission.Permit.class, shaper.openConnection(site));
        Admission second = shaper.openConnection(site);
        assertEquals(clock.instant().plusSeconds(10), ((Admission.WaitUntil) second).at());
        clock.advance(Duration.ofSeconds(10));
        assertInstanceOf(Admission.Permit.class, shaper.openConnection(site));
        int opened = 2;
        for (int s = 0; s < 60; s++) {
            clock.advance(Duration.ofSeconds(1));
            if (shaper.openConnection(site) instanceof Admission.Permit) {
                opened++;
            }
        }
        assertEquals(8, opened, "6/min over 70 s: at 0, 10, 20 ... 70 s");
    }

    @Test
    void messagesPerConnectionIsHandedToThePool() {
        SiteShaper shaper = shaper("messages-per-connection", "20");
        assertEquals(20, shaper.limits(site).messagesPerConnection());
        assertEquals(20, shaper.limits(SiteKey.of("yahoo")).messagesPerConnection(), "Yahoo preset");
    }

    @Test
    void dailyCapHoldsUntilUtcMidnightThenResets() {
        clock.set(Instant.parse("2026-11-27T23:59:00Z"));
        SiteShaper shaper = shaper("message-rate", "100/s", "daily-cap", "5");
        int granted = 0;
        for (int i = 0; i < 50; i++) {
            clock.advance(Duration.ofMillis(100));
            if (shaper.admit(site) instanceof Admission.Permit) {
                granted++;
            }
        }
        assertEquals(5, granted);
        Admission.WaitUntil w = (Admission.WaitUntil) shaper.admit(site);
        assertEquals(Instant.parse("2026-11-28T00:00:00Z"), w.at());
        assertTrue(w.reason().contains("daily cap of 5"), w.reason());
        assertEquals(5, shaper.snapshot(site).orElseThrow().sentToday());

        clock.set(Instant.parse("2026-11-28T00:00:00Z"));
        assertEquals(0, shaper.snapshot(site).orElseThrow().sentToday(), "a new UTC day starts at zero");
        assertInstanceOf(Admission.Permit.class, shaper.admit(site));
        assertEquals(1, shaper.snapshot(site).orElseThrow().sentToday());
    }

    @Test
    void poolsAreLimitedIndependently() {
        SiteShaper shaper = shaper("message-rate", "1/min");
        assertInstanceOf(Admission.Permit.class, shaper.admit(site));
        assertInstanceOf(Admission.WaitUntil.class, shaper.admit(site));
        assertInstanceOf(Admission.Permit.class, shaper.admit(new SiteKey("ip-2", "dest.test")));
    }

    @Test
    void unknownSitesGetTheDefaults() {
        SiteLimits d = ShapingConfig.shipped().defaults();
        assertEquals(d, new SiteShaper(ShapingConfig.shipped(), clock).limits(SiteKey.of("elsewhere.test")));
    }

    /**
     * A backlog larger than the wait a send may sleep: the sends told to come back later (parked)
     * are each given their own later slot, so they return one per interval and take their slot,
     * instead of all returning at the next free slot where all but a few park again (the
     * benchmark's 2.2 parkings per message at 50/s, and a storm of re-parkings for a deep backlog).
     */
    @Test
    void parkedSendsComeBackOnePerSlotAndParkAboutOnce() {
        SiteShaper shaper = shaper("message-rate", "10/s");
        Duration maxWait = Duration.ofMillis(500);
        Instant t0 = clock.instant();
        record Ask(Instant at, int send) {
        }
        PriorityQueue<Ask> asks = new PriorityQueue<>(
                Comparator.comparing(Ask::at).thenComparing(Ask::send));
        int sends = 200;
        for (int i = 0; i < sends; i++) {
            asks.add(new Ask(t0, i));
        }
        List<Instant> starts = new ArrayList<>();
        int parks = 0;
        while (!asks.isEmpty()) {
            Ask ask = asks.poll();
            clock.set(ask.at());
            Admission a = shaper.reserve(site, maxWait);
            if (a instanceof Admission.Permit) {
                starts.add(ask.at());
            } else if (a instanceof Admission.Reserved r) {
                starts.add(r.at());
            } else {
                parks++;
                asks.add(new Ask(((Admission.WaitUntil) a).at(), ask.send()));
            }
        }
        assertEquals(sends, starts.size());
        assertTrue(parks <= sends, parks + " parkings for " + sends + " sends: a parked send should come back once");
        starts.sort(null);
        for (int i = 1; i < starts.size(); i++) {
            assertTrue(!starts.get(i).isBefore(starts.get(i - 1).plusMillis(100)), "never faster than 10/s at " + i);
        }
        assertEquals(t0.plusMillis(100L * (sends - 1)), starts.get(sends - 1), "and no slot is lost");
    }
}
