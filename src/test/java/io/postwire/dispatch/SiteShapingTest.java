package io.postwire.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.shaping.ShapingConfigParser;
import io.postwire.shaping.SiteKey;
import io.postwire.shaping.SiteShaper;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher's waiting for a site's message rate, on a real Vert.x with real timers: each
 * waiting send gets its own slot and wakes once, so the rate is met and nobody polls.
 */
class SiteShapingTest {

    private static final SiteKey DEST = SiteKey.of("dest.test");

    private final Vertx vertx = Vertx.vertx();
    /** The system clock, counting how often the shaper is asked (it reads the clock once a call). */
    private final CountingClock clock = new CountingClock();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private SiteShaping shaping(String rate, Duration maxWait) {
        SiteShaper shaper = new SiteShaper(ShapingConfigParser.parse(Map.of(
                "postwire.shaping.sites.dest.test.message-rate", rate)), clock);
        return new SiteShaping(shaper, maxWait, Duration.ofSeconds(30), vertx, null, null);
    }

    /**
     * The benchmark's case: many sends wait for one site. Before, every waiter slept until the same
     * instant and all but one slept again (tens of thousands of wake-ups a second), and late
     * wake-ups were lost (200/s gave about 150/s).
     */
    @Test
    void manyWaitingSendsGetTheFullRateAndEachWakesOnce() throws Exception {
        int sends = 400;
        SiteShaping shaping = shaping("200/s", Duration.ofSeconds(5));
        List<CompletableFuture<Long>> admitted = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < sends; i++) {
            admitted.add(shaping.admit(DEST, Instant.now())
                    .map(a -> {
                        assertInstanceOf(SiteShaping.Go.class, a);
                        return System.nanoTime();
                    })
                    .subscribeAsCompletionStage());
        }
        long last = start;
        for (CompletableFuture<Long> f : admitted) {
            last = Math.max(last, f.get(10, TimeUnit.SECONDS));
        }
        double seconds = (last - start) / 1e9;
        double rate = (sends - 1) / seconds;
        assertTrue(rate <= 200 * 1.01, "never above the limit: " + rate + "/s");
        assertTrue(rate >= 200 * 0.95, "within 5 % of the limit: " + rate + "/s");
        assertTrue(clock.reads.get() <= 2L * sends + 10,
                "one reservation and one claim per send, no polling: " + clock.reads.get() + " shaper calls");
    }

    @Test
    void aWaitBeyondMaxWaitParksAtTheSlotWithoutTakingIt() throws Exception {
        SiteShaping shaping = shaping("10/s", Duration.ofMillis(110));
        Instant t0 = Instant.now();
        assertInstanceOf(SiteShaping.Go.class, admit(shaping));
        CompletableFuture<SiteShaping.Admit> second = shaping.admit(DEST, t0).subscribeAsCompletionStage();
        SiteShaping.Park third = assertInstanceOf(SiteShaping.Park.class, admit(shaping));
        assertTrue(!third.until().isBefore(t0.plusMillis(200)), "parked until its slot: " + third);
        assertInstanceOf(SiteShaping.Go.class, second.get(5, TimeUnit.SECONDS), "the reserved slot came");
    }

    @Test
    void aSendWhoseSiteIsSuspendedWhileItWaitsIsParked() throws Exception {
        SiteShaper shaper = new SiteShaper(ShapingConfigParser.parse(Map.of(
                "postwire.shaping.sites.dest.test.message-rate", "5/s")), clock);
        SiteShaping shaping = new SiteShaping(shaper, Duration.ofSeconds(5), Duration.ofSeconds(30), vertx, null, null);
        assertInstanceOf(SiteShaping.Go.class, admit(shaping));
        CompletableFuture<SiteShaping.Admit> waiting = shaping.admit(DEST, Instant.now())
                .subscribeAsCompletionStage();
        shaper.suspend(SiteKey.of("dest.test"), Duration.ofHours(1), "blocklisted");
        SiteShaping.Park park = assertInstanceOf(SiteShaping.Park.class, waiting.get(5, TimeUnit.SECONDS));
        assertTrue(park.reason().contains("blocklisted"), park.reason());
    }

    @Test
    void waitsAreRoundedUpToWholeMilliseconds() {
        assertEquals(5, SiteShaping.ceilMillis(Duration.ofNanos(4_200_000)));
        assertEquals(4, SiteShaping.ceilMillis(Duration.ofMillis(4)));
        assertEquals(1, SiteShaping.ceilMillis(Duration.ofNanos(1)));
        assertEquals(0, SiteShaping.ceilMillis(Duration.ZERO));
        assertEquals(0, SiteShaping.ceilMillis(Duration.ofMillis(-3)));
    }

    private static SiteShaping.Admit admit(SiteShaping shaping) throws Exception {
        return shaping.admit(DEST, Instant.now()).subscribeAsCompletionStage().get(5, TimeUnit.SECONDS);
    }

    private static final class CountingClock extends Clock {
        final AtomicLong reads = new AtomicLong();

        @Override
        public Instant instant() {
            reads.incrementAndGet();
            return Instant.now();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
