package io.postwire.shaping;

import io.postwire.testsupport.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.event.SiteLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
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
}
