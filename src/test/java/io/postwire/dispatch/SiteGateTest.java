package io.postwire.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.shaping.ShapingConfigParser;
import io.postwire.shaping.SiteKey;
import io.postwire.shaping.SiteShaper;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Connection slots against a real {@link SiteShaper}: the cap, reuse, and closing spent slots. */
class SiteGateTest {

    private final Vertx vertx = Vertx.vertx();
    private final SiteShaper shaper = new SiteShaper(ShapingConfigParser.parse(Map.of(
            "postwire.shaping.defaults.max-connections", "2",
            "postwire.shaping.defaults.connection-rate", "1000/s",
            "postwire.shaping.defaults.messages-per-connection", "2")), Clock.systemUTC());
    private final SiteKey key = SiteKey.of("example.test");
    private final SiteGate gate = new SiteGate(key, shaper, vertx);

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void capsConcurrentSendsAtMaxConnectionsAndReusesFreedSlots() throws Exception {
        SiteGate.Lease a = now(gate.acquire(Instant.now()));
        SiteGate.Lease b = now(gate.acquire(Instant.now()));
        CompletableFuture<SiteGate.Lease> third = gate.acquire(Instant.now()).subscribeAsCompletionStage();
        Thread.sleep(100); // well past the 1 ms connection-rate spacing
        assertFalse(third.isDone(), "a third send must wait for one of two connections");
        assertEquals(2, open());
        gate.reportBacklog();
        assertEquals(1, shaper.snapshot(key).orElseThrow().queued());

        a.release(true);
        SiteGate.Lease c = third.get(1, TimeUnit.SECONDS);
        assertEquals(2, open(), "the freed connection is reused, not a new one opened");

        // Slot a carried two messages now: spent, so it closes on release.
        c.release(true);
        assertEquals(1, open());
        b.release(false); // a broken session closes its slot
        assertEquals(0, open());
        assertTrue(gate.retireIfUnused());
        assertEquals(null, gate.acquire(Instant.now()), "a retired gate hands out nothing");
    }

    @Test
    void idleSlotsCloseAfterTheIdleTimeout() throws Exception {
        SiteGate.Lease a = now(gate.acquire(Instant.now()));
        a.release(true);
        assertEquals(1, open());
        gate.sweep(System.nanoTime(), Duration.ofHours(1).toNanos());
        assertEquals(1, open(), "not idle long enough");
        gate.sweep(System.nanoTime() + Duration.ofHours(2).toNanos(), Duration.ofHours(1).toNanos());
        assertEquals(0, open());
    }

    private int open() {
        return shaper.snapshot(key).map(s -> s.openConnections()).orElse(0);
    }

    /** A slot within a second: a new connection may wait out the connection rate's 1 ms spacing. */
    private static SiteGate.Lease now(Uni<SiteGate.Lease> lease) throws Exception {
        return lease.subscribeAsCompletionStage().get(1, TimeUnit.SECONDS);
    }
}
