package io.postwire.mx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.testsupport.MutableClock;
import io.postwire.testsupport.dns.TestDnsServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How queries go over UDP, against {@link TestDnsServer}: a lost datagram is sent again long
 * before the timeout, and a burst of lookups keeps to the cap on queries in flight.
 */
class DnsTransportTest {

    private static Vertx vertx;
    private TestDnsServer dns;
    private MxResolver resolver;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void startDns() {
        dns = TestDnsServer.start();
    }

    @AfterEach
    void close() {
        if (resolver != null) {
            resolver.close();
        }
        dns.close();
    }

    private MxResolver resolver(DnsSettings settings) {
        resolver = new MxResolver(vertx, settings, new MutableClock(), new Random());
        return resolver;
    }

    /** The benchmark's finding: a lost reply was a 5 s timeout and a deferred send. */
    @Test
    void aLostQueryIsSentAgainAndAnsweredWellWithinTheTimeout() throws Exception {
        dns.mx("pw.test", 10, "mx.pw.test", 300).address("mx.pw.test", "127.0.0.40", 300)
                .dropFirstQuery("pw.test").dropFirstQuery("mx.pw.test");
        MxResolver resolver = resolver(new DnsSettings(List.of(dns.address()), Duration.ofSeconds(5),
                Duration.ofHours(1), Duration.ofMinutes(5), 1000).withResendAfter(Duration.ofMillis(200)));

        long start = System.nanoTime();
        MxResult result = resolver.resolve("pw.test").toCompletionStage().toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        MxResult.Hosts hosts = assertInstanceOf(MxResult.Hosts.class, result, "recovered, not a timeout");
        assertEquals("mx.pw.test", hosts.hosts().get(0).name());
        assertEquals(3, dns.dropped(), "the first MX, A and AAAA queries were lost");
        assertEquals(2, dns.queries("pw.test", "MX"), "sent once more");
        assertEquals(2, dns.queries("mx.pw.test", "A"));
        assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, "two resends of 200 ms, not a 5 s timeout: " + took);
    }

    @Test
    void aServerThatStaysSilentIsAskedAtTheResendTimesThenTimesOut() throws Exception {
        dns.silent(true);
        MxResolver resolver = resolver(new DnsSettings(List.of(dns.address()), Duration.ofMillis(1000),
                Duration.ofHours(1), Duration.ofMinutes(5), 1000).withResendAfter(Duration.ofMillis(200)));

        MxResult result = resolver.resolve("pw.test").toCompletionStage().toCompletableFuture()
                .get(20, TimeUnit.SECONDS);

        MxResult.TemporaryFailure failure = assertInstanceOf(MxResult.TemporaryFailure.class, result);
        assertTrue(failure.reason().contains("timeout"), failure.reason());
        assertEquals(3, dns.queries("pw.test", "MX"), "sent at 0, 200 and 600 ms; 1400 ms is past the timeout");
    }

    @Test
    void aBurstOfLookupsKeepsToTheCapOnQueriesInFlight() throws Exception {
        int domains = 60;
        for (int i = 0; i < domains; i++) {
            dns.mx("d" + i + ".burst.test", 10, "mx" + i + ".burst.test", 300)
                    .address("mx" + i + ".burst.test", "127.0.0.50", 300);
        }
        dns.replyDelay(Duration.ofMillis(40));
        MxResolver resolver = resolver(new DnsSettings(List.of(dns.address()), Duration.ofSeconds(5),
                Duration.ofHours(1), Duration.ofMinutes(5), 1000).withMaxQueriesInFlight(8));

        List<CompletableFuture<MxResult>> all = new ArrayList<>();
        for (int i = 0; i < domains; i++) {
            all.add(resolver.resolve("d" + i + ".burst.test").toCompletionStage().toCompletableFuture());
        }
        for (CompletableFuture<MxResult> one : all) {
            assertInstanceOf(MxResult.Hosts.class, one.get(30, TimeUnit.SECONDS));
        }

        assertEquals(3 * domains, dns.queries(), "MX, A and AAAA each, no resend needed");
        assertTrue(dns.maxPending() <= 8, "at most 8 queries awaited a reply at once: " + dns.maxPending());
        assertTrue(dns.maxPending() >= 6, "and the cap was used: " + dns.maxPending());
    }
}
