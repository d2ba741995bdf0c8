package io.postwire.shaping;

import io.postwire.testsupport.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.event.SmtpReply;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tens of thousands of sites at once, bounded: held ones are small, idle ones are forgotten. */
class SiteMemoryTest {

    private final MutableClock clock = new MutableClock("2026-11-27T10:00:00Z");

    @Test
    void tenThousandSitesFitInAFewMegabytes() {
        SiteShaper shaper = new SiteShaper(ShapingConfig.shipped(), clock);
        SmtpReply ok = SmtpReply.parse(250, "2.0.0 OK");
        long before = usedHeap();
        for (int i = 0; i < 10_000; i++) {
            SiteKey k = new SiteKey("pool-" + (i % 4), "site-" + i + ".test");
            shaper.admit(k);
            shaper.openConnection(k);
            shaper.observe(k, ok, false);
        }
        long after = usedHeap();
        assertEquals(10_000, shaper.size());
        assertEquals(10_000, shaper.snapshot().size());
        long perSite = (after - before) / 10_000;
        // Measured about 320 bytes: state, key and its strings, the map node (the reply here is
        // shared; a real last reply adds its text, typically 100-200 bytes). A generous bound,
        // since a shared machine's GC is not exact, that still fails on an accidental Instant per
        // field or a per-site copy of the limits.
        assertTrue(perSite < 1024, "about " + perSite + " bytes per site");
    }

    @Test
    void aHundredThousandSitesChurnedThroughStayBounded() {
        Map<String, String> p = new HashMap<>();
        p.put("postwire.shaping.idle-eviction", "10m");
        p.put("postwire.shaping.max-sites", "5000");
        SiteShaper shaper = new SiteShaper(ShapingConfigParser.parse(p), clock);
        int peak = 0;
        for (int i = 0; i < 100_000; i++) {
            SiteKey k = SiteKey.of("churn-" + i + ".test");
            shaper.admit(k);
            clock.advance(Duration.ofMillis(50));
            if (i % 1_000 == 999) {
                shaper.tick();
            }
            peak = Math.max(peak, shaper.size());
        }
        assertTrue(peak <= 6_000, "peak " + peak + " sites held");
        clock.advance(Duration.ofMinutes(11));
        shaper.tick();
        assertEquals(0, shaper.size(), "every idle site is forgotten after idle-eviction");
    }

    @Test
    void throttledSuspendedOrBusySitesAreNeverForgotten() {
        Map<String, String> p = Map.of("postwire.shaping.max-sites", "1", "postwire.shaping.idle-eviction", "1m");
        SiteShaper shaper = new SiteShaper(ShapingConfigParser.parse(p), clock);
        SiteKey suspended = SiteKey.of("a.test");
        SiteKey busy = SiteKey.of("b.test");
        SiteKey backlog = SiteKey.of("c.test");
        shaper.suspend(suspended, Duration.ofDays(1), "test");
        shaper.openConnection(busy);
        shaper.queued(backlog, 3, clock.instant());
        shaper.admit(SiteKey.of("idle.test"));
        clock.advance(Duration.ofMinutes(5));
        shaper.tick();
        assertEquals(3, shaper.size());
        assertTrue(shaper.snapshot(SiteKey.of("idle.test")).isEmpty());
    }

    @Test
    void aCappedSiteKeepsItsDailyCountUntilMidnight() {
        Map<String, String> p = Map.of("postwire.shaping.sites.capped.test.daily-cap", "1",
                "postwire.shaping.idle-eviction", "1m");
        SiteShaper shaper = new SiteShaper(ShapingConfigParser.parse(p), clock);
        SiteKey capped = SiteKey.of("capped.test");
        shaper.admit(capped);
        clock.advance(Duration.ofHours(2));
        shaper.tick();
        assertTrue(shaper.admit(capped) instanceof Admission.WaitUntil, "forgetting would reset the cap");
    }

    private static long usedHeap() {
        MemoryMXBean m = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return m.getHeapMemoryUsage().getUsed();
    }
}
