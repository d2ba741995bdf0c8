package io.postwire.mx;

import io.postwire.testsupport.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.testsupport.dns.TestDnsServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MxResolver} against {@link TestDnsServer}, a real UDP DNS server in this JVM that
 * counts its queries: each rule of MX resolution, and what is cached for how long.
 */
class MxResolverTest {

    private static Vertx vertx;
    private TestDnsServer dns;
    private MutableClock clock;
    private final List<AutoCloseable> closeables = new ArrayList<>();

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
        closeables.add(dns);
        clock = new MutableClock();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    @Test
    void hostsComeInPreferenceOrderWithTheirIpv4AndIpv6Addresses() throws Exception {
        dns.mx("pw.test", 20, "mx2.pw.test", 300).mx("pw.test", 10, "mx1.pw.test", 300)
                .mx("pw.test", 30, "mx3.other.test", 300)
                .address("mx1.pw.test", "::11", 300).address("mx1.pw.test", "127.0.0.11", 300)
                .address("mx2.pw.test", "127.0.0.12", 300).address("mx3.other.test", "::13", 300);

        MxResult.Hosts result = assertInstanceOf(MxResult.Hosts.class, resolve(resolver(), "pw.test"));

        assertFalse(result.implicit());
        assertEquals(List.of("mx1.pw.test", "mx2.pw.test", "mx3.other.test"), names(result));
        assertEquals(List.of(10, 20, 30), result.hosts().stream().map(MxHost::preference).collect(Collectors.toList()));
        assertEquals(List.of(ip("127.0.0.11"), ip("::11")), result.hosts().get(0).addresses(), "IPv4 first");
        assertEquals(List.of(ip("::13")), result.hosts().get(2).addresses());
        assertEquals(1, dns.queries("mx1.pw.test", "A"));
        assertEquals(1, dns.queries("mx1.pw.test", "AAAA"));
    }

    @Test
    void equalPreferencesAreShuffledOnEveryCallCachedOrNot() throws Exception {
        dns.mx("spread.test", 5, "first.spread.test", 300);
        for (String host : List.of("a.spread.test", "b.spread.test", "c.spread.test")) {
            dns.mx("spread.test", 10, host, 300).address(host, "127.0.0.20", 300);
        }
        dns.address("first.spread.test", "127.0.0.21", 300);
        MxResolver resolver = resolver(settings(dns.address()), new Random(7));

        Set<List<String>> orders = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            List<String> names = names(assertInstanceOf(MxResult.Hosts.class, resolve(resolver, "spread.test")));
            assertEquals("first.spread.test", names.get(0), "the lowest preference always leads");
            orders.add(names.subList(1, 4));
        }

        assertEquals(6, orders.size(), "every order of the three equal hosts turns up: " + orders);
        assertEquals(1, dns.queries("spread.test", "MX"), "served from the cache after the first");
    }

    @Test
    void aDomainWithoutMxButWithAddressesIsItsOwnImplicitMx() throws Exception {
        dns.address("bare.test", "127.0.0.30", 300).address("bare.test", "::30", 300);

        MxResult.Hosts result = assertInstanceOf(MxResult.Hosts.class, resolve(resolver(), "bare.test"));

        assertTrue(result.implicit());
        assertEquals(List.of(new MxHost("bare.test", 0, List.of(ip("127.0.0.30"), ip("::30")))), result.hosts());
    }

    @Test
    void aDomainWithNeitherMxNorAddressesIsUnroutable() throws Exception {
        dns.txt("txt-only.test", "v=spf1 -all", 300); // the name exists, so the answer is NODATA

        MxResult result = resolve(resolver(), "txt-only.test");

        MxResult.Unroutable unroutable = assertInstanceOf(MxResult.Unroutable.class, result);
        assertTrue(unroutable.permanent());
        assertEquals(1, dns.queries("txt-only.test", "A"));
        assertEquals(1, dns.queries("txt-only.test", "AAAA"));
    }

    @Test
    void mxHostsThatDoNotExistMakeTheDomainUnroutable() throws Exception {
        dns.mx("ghosts.test", 10, "ghost1.nowhere.test", 300).mx("ghosts.test", 20, "ghost2.nowhere.test", 300);

        MxResult result = resolve(resolver(), "ghosts.test");

        MxResult.Unroutable unroutable = assertInstanceOf(MxResult.Unroutable.class, result);
        assertTrue(unroutable.reason().contains("ghosts.test"), unroutable.reason());
        assertEquals(1, dns.queries("ghost2.nowhere.test", "AAAA"));
    }

    @Test
    void theRfc7505NullMxIsPermanent() throws Exception {
        dns.nullMx("nomail.test", 300);

        MxResult result = resolve(resolver(), "nomail.test");

        assertInstanceOf(MxResult.NullMx.class, result);
        assertTrue(result.permanent());
        assertEquals(0, dns.queries("nomail.test", "A"), "no implicit MX for a null MX domain");
    }

    @Test
    void nxdomainIsPermanentAndCachedForTheSoaNegativeTtl() throws Exception {
        dns.soa(3600, 120);
        MxResolver resolver = resolver();

        MxResult result = resolve(resolver, "gone.test");
        assertInstanceOf(MxResult.NoSuchDomain.class, result);
        assertTrue(result.permanent());

        clock.advance(Duration.ofSeconds(119));
        assertInstanceOf(MxResult.NoSuchDomain.class, resolve(resolver, "gone.test"));
        assertEquals(1, dns.queries("gone.test", "MX"), "cached for min(SOA TTL, MINIMUM) = 120 s");

        clock.advance(Duration.ofSeconds(2));
        resolve(resolver, "gone.test");
        assertEquals(2, dns.queries("gone.test", "MX"), "asked again once the negative TTL ran out");
    }

    @Test
    void withoutAnSoaTheConfiguredNegativeTtlApplies() throws Exception {
        dns.withoutSoa();
        DnsSettings base = settings(dns.address());
        MxResolver resolver = resolver(new DnsSettings(base.servers(), base.queryTimeout(), base.maxTtl(),
                Duration.ofSeconds(45), base.maxCachedDomains()), new Random());

        resolve(resolver, "gone.test");
        clock.advance(Duration.ofSeconds(44));
        resolve(resolver, "gone.test");
        assertEquals(1, dns.queries("gone.test", "MX"));
        clock.advance(Duration.ofSeconds(2));
        resolve(resolver, "gone.test");
        assertEquals(2, dns.queries("gone.test", "MX"));
    }

    @Test
    void servfailIsTemporaryAndNotCached() throws Exception {
        dns.mx("broken.test", 10, "mx.broken.test", 300).servfail("broken.test");
        MxResolver resolver = resolver();

        MxResult result = resolve(resolver, "broken.test");
        MxResult.TemporaryFailure failure = assertInstanceOf(MxResult.TemporaryFailure.class, result);
        assertFalse(failure.permanent());
        assertTrue(failure.reason().contains("SERVFAIL"), failure.reason());

        resolve(resolver, "broken.test");
        assertEquals(2, dns.queries("broken.test", "MX"), "a failure is asked again at once");
    }

    @Test
    void aSilentServerTimesOutAndTheNextServerAnswers() throws Exception {
        TestDnsServer silent = TestDnsServer.start().silent(true);
        closeables.add(silent);
        dns.mx("pw.test", 10, "mx.pw.test", 300).address("mx.pw.test", "127.0.0.40", 300)
                .mx("later.test", 10, "mx.pw.test", 300);
        MxResolver resolver = resolver(settings(silent.address(), dns.address()), new Random());

        MxResult.Hosts result = assertInstanceOf(MxResult.Hosts.class, resolve(resolver, "pw.test"));
        assertEquals(List.of("mx.pw.test"), names(result));
        assertEquals(1, silent.queries("pw.test", "MX"), "the first server was asked first");

        resolve(resolver, "later.test");
        assertEquals(0, silent.queries("later.test", "MX"), "the server that answered is asked first from then on");
    }

    @Test
    void whenEveryServerIsSilentTheResultIsTemporary() throws Exception {
        dns.silent(true);
        TestDnsServer alsoSilent = TestDnsServer.start().silent(true);
        closeables.add(alsoSilent);

        MxResult result = resolve(resolver(settings(dns.address(), alsoSilent.address()), new Random()), "pw.test");

        MxResult.TemporaryFailure failure = assertInstanceOf(MxResult.TemporaryFailure.class, result);
        assertTrue(failure.reason().contains("timeout"), failure.reason());
        assertEquals(1, dns.queries("pw.test", "MX"));
        assertEquals(1, alsoSilent.queries("pw.test", "MX"));
    }

    @Test
    void aResultLivesForTheSmallestTtlOfItsRecords() throws Exception {
        dns.mx("ttl.test", 10, "mx.ttl.test", 600).address("mx.ttl.test", "127.0.0.50", 30)
                .address("mx.ttl.test", "::50", 90);
        MxResolver resolver = resolver();

        resolve(resolver, "ttl.test");
        clock.advance(Duration.ofSeconds(29));
        resolve(resolver, "ttl.test");
        assertEquals(1, dns.queries("ttl.test", "MX"), "a cache hit within the A record's 30 s");

        clock.advance(Duration.ofSeconds(2));
        resolve(resolver, "ttl.test");
        assertEquals(2, dns.queries("ttl.test", "MX"), "asked again after 30 s");
        assertEquals(2, dns.queries("mx.ttl.test", "A"));
    }

    @Test
    void longTtlsAreCappedAtMaxTtl() throws Exception {
        dns.mx("long.test", 10, "mx.long.test", 86_400).address("mx.long.test", "127.0.0.51", 86_400);
        MxResolver resolver = resolver(); // maxTtl one hour

        resolve(resolver, "long.test");
        clock.advance(Duration.ofMinutes(59));
        resolve(resolver, "long.test");
        assertEquals(1, dns.queries("long.test", "MX"));
        clock.advance(Duration.ofMinutes(2));
        resolve(resolver, "long.test");
        assertEquals(2, dns.queries("long.test", "MX"));
    }

    @Test
    void theCacheKeepsOnlyTheMostRecentlyUsedDomains() throws Exception {
        for (String domain : List.of("a.test", "b.test", "c.test")) {
            dns.mx(domain, 10, "mx." + domain, 300).address("mx." + domain, "127.0.0.60", 300);
        }
        DnsSettings base = settings(dns.address());
        MxResolver resolver = resolver(new DnsSettings(base.servers(), base.queryTimeout(), base.maxTtl(),
                base.negativeTtl(), 2), new Random());

        resolve(resolver, "a.test");
        resolve(resolver, "b.test");
        resolve(resolver, "a.test"); // a is now more recent than b
        resolve(resolver, "c.test"); // evicts b
        assertEquals(2, resolver.cachedDomains());

        resolve(resolver, "a.test");
        resolve(resolver, "b.test");
        assertEquals(1, dns.queries("a.test", "MX"), "a stayed");
        assertEquals(2, dns.queries("b.test", "MX"), "b was evicted and asked again");
    }

    @Test
    void mxHostsWithoutAddressesAreLeftOutAndPartialFailuresCachedBriefly() throws Exception {
        dns.mx("mixed.test", 10, "dead.mixed.test", 3600).mx("mixed.test", 20, "flaky.mixed.test", 3600)
                .mx("mixed.test", 30, "ok.mixed.test", 3600)
                .address("flaky.mixed.test", "127.0.0.70", 3600).servfail("flaky.mixed.test")
                .address("ok.mixed.test", "127.0.0.71", 3600);
        MxResolver resolver = resolver(); // negativeTtl five minutes

        MxResult.Hosts result = assertInstanceOf(MxResult.Hosts.class, resolve(resolver, "mixed.test"));
        assertEquals(List.of("ok.mixed.test"), names(result));

        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        resolve(resolver, "mixed.test");
        assertEquals(2, dns.queries("mixed.test", "MX"), "a partial answer is kept only for the negative TTL");
    }

    @Test
    void concurrentResolvesOfOneDomainShareOneLookup() throws Exception {
        dns.mx("busy.test", 10, "mx.busy.test", 300).address("mx.busy.test", "127.0.0.80", 300);
        MxResolver resolver = resolver();

        List<CompletableFuture<MxResult>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(resolver.resolve("busy.test").toCompletionStage().toCompletableFuture());
        }
        for (CompletableFuture<MxResult> one : all) {
            assertInstanceOf(MxResult.Hosts.class, one.get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, dns.queries("busy.test", "MX"));
    }

    @Test
    void theFutureCompletesOnTheCallersContext() throws Exception {
        dns.mx("ctx.test", 10, "mx.ctx.test", 300).address("mx.ctx.test", "127.0.0.90", 300);
        MxResolver resolver = resolver();
        Context context = vertx.getOrCreateContext();
        CompletableFuture<Boolean> sameContext = new CompletableFuture<>();

        context.runOnContext(v -> resolver.resolve("ctx.test")
                .onComplete(done -> sameContext.complete(Vertx.currentContext() == context)));

        assertTrue(sameContext.get(10, TimeUnit.SECONDS));
    }

    @Test
    void namesAreNormalisedAndNonsenseIsNoSuchDomainWithoutAQuery() throws Exception {
        dns.mx("pw.test", 10, "mx.pw.test", 300).address("mx.pw.test", "127.0.0.1", 300);
        MxResolver resolver = resolver();

        assertInstanceOf(MxResult.Hosts.class, resolve(resolver, "PW.Test."));
        assertInstanceOf(MxResult.Hosts.class, resolve(resolver, "pw.test"));
        assertEquals(1, dns.queries("pw.test", "MX"), "one cache entry for both spellings");
        int queries = dns.queries();
        for (String bad : List.of("", "a..b", "[127.0.0.1]", "x".repeat(64) + ".test", "sp ace.test")) {
            assertInstanceOf(MxResult.NoSuchDomain.class, resolve(resolver, bad), bad);
        }
        assertEquals(queries, dns.queries(), "no query for a name that cannot exist");
    }

    private MxResolver resolver() {
        return resolver(settings(dns.address()), new Random());
    }

    private MxResolver resolver(DnsSettings settings, Random random) {
        MxResolver resolver = new MxResolver(vertx, settings, clock, random);
        closeables.add(resolver);
        return resolver;
    }

    private static DnsSettings settings(InetSocketAddress... servers) {
        return new DnsSettings(List.of(servers), Duration.ofMillis(400), Duration.ofHours(1), Duration.ofMinutes(5),
                1000);
    }

    private static MxResult resolve(MxResolver resolver, String domain) throws Exception {
        Future<MxResult> future = resolver.resolve(domain);
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static List<String> names(MxResult.Hosts hosts) {
        return hosts.hosts().stream().map(MxHost::name).collect(Collectors.toList());
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }
}
