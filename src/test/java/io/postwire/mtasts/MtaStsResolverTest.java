package io.postwire.mtasts;

import io.postwire.testsupport.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.mtasts.PolicyServer.Reply;
import io.postwire.mx.DnsSettings;
import io.postwire.testsupport.TestCertificates;
import io.postwire.testsupport.dns.TestDnsServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.TrustOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MtaStsResolver} against real peers: {@link TestDnsServer} serving the {@code _mta-sts}
 * TXT records and the policy hosts' addresses (all 127.0.0.1), and {@link PolicyServer}, an HTTPS
 * server whose certificate names the {@code mta-sts.<domain>} hosts below (but not
 * {@code mta-sts.badcert.test}). The client connects to 127.0.0.1 and verifies the name.
 */
class MtaStsResolverTest {

    private static final String[] DOMAINS = {"enforce.test", "testing.test", "none.test", "cache.test",
        "idchange.test", "fallback.test", "badversion.test", "badmaxage.test", "redirect.test", "wrongtype.test",
        "toolarge.test", "streamed.test", "slow.test", "shared.test", "expiry.test", "missing.test"};
    private static final String ENFORCE = "version: STSv1\r\nmode: enforce\r\nmx: mx.enforce.test\r\n"
            + "mx: *.mx.example.test\r\nmax_age: 86400\r\n";

    private static Vertx vertx;
    private static TestCertificates policyCertificate;
    private static PolicyServer https;

    private TestDnsServer dns;
    private MutableClock clock;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void startServers() throws Exception {
        vertx = Vertx.vertx();
        String[] names = new String[DOMAINS.length];
        for (int i = 0; i < DOMAINS.length; i++) {
            names[i] = "mta-sts." + DOMAINS[i];
        }
        policyCertificate = TestCertificates.forNames(names);
        https = new PolicyServer(vertx, policyCertificate);
    }

    @AfterAll
    static void stopServers() throws Exception {
        https.close();
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

    private MtaStsResolver resolver(Duration recheck, Duration fetchTimeout, TrustOptions trust) {
        DnsSettings dnsSettings = new DnsSettings(List.of(dns.address()), Duration.ofSeconds(2),
                Duration.ofHours(1), Duration.ofMinutes(5), 100);
        MtaStsSettings settings = MtaStsSettings.defaults().withRecheckInterval(recheck).withFetchTimeout(fetchTimeout)
                .withPolicyServer(https.port(), trust);
        MtaStsResolver resolver = new MtaStsResolver(vertx, dnsSettings, settings, clock);
        closeables.add(0, resolver);
        return resolver;
    }

    private MtaStsResolver resolver() {
        return resolver(Duration.ofMinutes(5), Duration.ofSeconds(10), policyCertificate.trust());
    }

    /** Publishes the TXT record and the policy host's address, and serves {@code reply} there. */
    private void publish(String domain, String id, Reply reply) {
        dns.remove("_mta-sts." + domain).txt("_mta-sts." + domain, "v=STSv1; id=" + id + ";", 300)
                .address("mta-sts." + domain, "127.0.0.1", 300);
        https.serve("mta-sts." + domain, reply);
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private static void assertProblem(PolicyLookup lookup, TlsResult expected) {
        assertTrue(lookup.problem().isPresent(), "a problem to record: " + lookup);
        assertEquals(expected, lookup.problem().get().result(), lookup.problem().get().detail());
        assertEquals(Optional.empty(), lookup.problem().get().mxHost());
    }

    @Test
    void enforcePolicyIsFetchedFromTheWellKnownPathOfTheVerifiedHost() throws Exception {
        publish("enforce.test", "1", Reply.policy(ENFORCE));
        PolicyLookup lookup = await(resolver().lookup("Enforce.Test."));
        assertEquals(new TlsPolicy.Enforce(List.of("mx.enforce.test", "*.mx.example.test")), lookup.policy());
        assertEquals(PolicyLookup.Source.FETCHED, lookup.source());
        assertEquals(Optional.empty(), lookup.problem());
        assertEquals("/.well-known/mta-sts.txt", https.lastPath("mta-sts.enforce.test"));
        assertTrue(lookup.policy().check("a.mx.example.test"));
        assertTrue(!lookup.policy().check("mx.attacker.test"));
    }

    @Test
    void testingAndNoneModes() throws Exception {
        publish("testing.test", "t1",
                Reply.policy("version: STSv1\nmode: testing\nmx: *.testing.test\nmax_age: 600\n"));
        publish("none.test", "n1", Reply.policy("version: STSv1\nmode: none\nmax_age: 600\n"));
        MtaStsResolver resolver = resolver();
        assertEquals(new TlsPolicy.Testing(List.of("*.testing.test")), await(resolver.policyFor("testing.test")));
        assertEquals(new TlsPolicy.None(), await(resolver.policyFor("none.test")));
        // "none" is a policy too: cached, so the domain's opt-out is not refetched every time.
        assertEquals(PolicyLookup.Source.CACHED, await(resolver.lookup("none.test")).source());
        assertEquals(1, https.requests("mta-sts.none.test"));
    }

    @Test
    void cachedPolicyIsServedWithoutHttpAndRecheckedInDnsOnlyAfterTheInterval() throws Exception {
        publish("cache.test", "c1", Reply.policy(ENFORCE));
        MtaStsResolver resolver = resolver();
        int before = https.requests("mta-sts.cache.test");
        assertEquals(PolicyLookup.Source.FETCHED, await(resolver.lookup("cache.test")).source());
        assertEquals(PolicyLookup.Source.CACHED, await(resolver.lookup("cache.test")).source());
        assertEquals(1, dns.queries("_mta-sts.cache.test", "TXT"), "within the recheck interval no DNS");
        clock.advance(Duration.ofMinutes(6));
        PolicyLookup rechecked = await(resolver.lookup("cache.test"));
        assertEquals(PolicyLookup.Source.CACHED, rechecked.source());
        assertInstanceOf(TlsPolicy.Enforce.class, rechecked.policy());
        assertEquals(2, dns.queries("_mta-sts.cache.test", "TXT"), "the id was checked again");
        assertEquals(before + 1, https.requests("mta-sts.cache.test"), "same id: no refetch");
        assertEquals(1, resolver.cachedDomains());
    }

    @Test
    void newIdInDnsRefetchesThePolicy() throws Exception {
        publish("idchange.test", "v1", Reply.policy(ENFORCE));
        MtaStsResolver resolver = resolver(Duration.ZERO, Duration.ofSeconds(10), policyCertificate.trust());
        assertInstanceOf(TlsPolicy.Enforce.class, await(resolver.policyFor("idchange.test")));
        publish("idchange.test", "v2",
                Reply.policy("version: STSv1\nmode: testing\nmx: mx.idchange.test\nmax_age: 600"));
        PolicyLookup lookup = await(resolver.lookup("idchange.test"));
        assertEquals(new TlsPolicy.Testing(List.of("mx.idchange.test")), lookup.policy());
        assertEquals(PolicyLookup.Source.FETCHED, lookup.source());
        assertEquals(2, https.requests("mta-sts.idchange.test"));
    }

    @Test
    void failedFetchOrVanishedRecordKeepsTheCachedPolicyUntilItExpires() throws Exception {
        publish("fallback.test", "f1", Reply.policy(ENFORCE.replace("86400", "3600")));
        MtaStsResolver resolver = resolver(Duration.ZERO, Duration.ofSeconds(10), policyCertificate.trust());
        assertInstanceOf(TlsPolicy.Enforce.class, await(resolver.policyFor("fallback.test")));

        publish("fallback.test", "f2", Reply.policy("").withStatus(500, Map.of()));
        PolicyLookup failedFetch = await(resolver.lookup("fallback.test"));
        assertInstanceOf(TlsPolicy.Enforce.class, failedFetch.policy(), "RFC 8461 §5.1: keep the cached policy");
        assertEquals(PolicyLookup.Source.CACHED_FALLBACK, failedFetch.source());
        assertProblem(failedFetch, TlsResult.STS_POLICY_FETCH_ERROR);
        assertEquals("enforce", failedFetch.problem().get().policyMode());

        dns.remove("_mta-sts.fallback.test");
        PolicyLookup noRecord = await(resolver.lookup("fallback.test"));
        assertInstanceOf(TlsPolicy.Enforce.class, noRecord.policy(), "a stripped TXT record strips nothing");
        assertEquals(PolicyLookup.Source.CACHED_FALLBACK, noRecord.source());

        clock.advance(Duration.ofMinutes(61));
        publish("fallback.test", "f3", Reply.policy("").withStatus(500, Map.of()));
        PolicyLookup expired = await(resolver.lookup("fallback.test"));
        assertEquals(new TlsPolicy.None(), expired.policy(), "max_age over: deliver as without MTA-STS");
        assertEquals(PolicyLookup.Source.FETCH_FAILED, expired.source());
        assertProblem(expired, TlsResult.STS_POLICY_FETCH_ERROR);
    }

    @Test
    void invalidPoliciesGiveNoPolicyAndSayWhy() throws Exception {
        publish("badversion.test", "1", Reply.policy(ENFORCE.replace("STSv1", "STSv2")));
        publish("badmaxage.test", "1", Reply.policy(ENFORCE.replace("86400", "31557601")));
        publish("wrongtype.test", "1", Reply.policy(ENFORCE).withContentType("text/html"));
        publish("toolarge.test", "1", Reply.policy(ENFORCE + "x_pad: " + "x".repeat(70 * 1024) + "\n"));
        publish("streamed.test", "1", Reply.policy(ENFORCE + "x_pad: " + "x".repeat(70 * 1024) + "\n").streamed());
        publish("redirect.test", "1", Reply.policy(ENFORCE).withStatus(301,
                Map.of("Location", "https://mta-sts.enforce.test/.well-known/mta-sts.txt")));
        https.serve("mta-sts.enforce.test", Reply.policy(ENFORCE));
        int redirectTargetBefore = https.requests("mta-sts.enforce.test");
        MtaStsResolver resolver = resolver();
        String[][] cases = {{"badversion.test", "STS_POLICY_INVALID"}, {"badmaxage.test", "STS_POLICY_INVALID"},
            {"wrongtype.test", "STS_POLICY_INVALID"}, {"toolarge.test", "STS_POLICY_INVALID"},
            {"streamed.test", "STS_POLICY_INVALID"}, {"redirect.test", "STS_POLICY_FETCH_ERROR"}};
        for (String[] c : cases) {
            PolicyLookup lookup = await(resolver.lookup(c[0]));
            assertEquals(new TlsPolicy.None(), lookup.policy(), c[0]);
            assertEquals(PolicyLookup.Source.FETCH_FAILED, lookup.source(), c[0]);
            assertProblem(lookup, TlsResult.valueOf(c[1]));
            assertEquals(0, resolver.cachedDomains(), "nothing invalid is cached");
        }
        assertEquals(redirectTargetBefore, https.requests("mta-sts.enforce.test"), "the redirect was not followed");
    }

    @Test
    void certificateThatDoesNotNameTheHostOrIsNotTrustedGivesNoPolicy() throws Exception {
        publish("badcert.test", "1", Reply.policy(ENFORCE)); // not among the certificate's names
        PolicyLookup wrongName = await(resolver().lookup("badcert.test"));
        assertEquals(new TlsPolicy.None(), wrongName.policy());
        assertProblem(wrongName, TlsResult.STS_WEBPKI_INVALID);
        assertEquals(0, https.requests("mta-sts.badcert.test"), "no request after a failed handshake");

        publish("enforce.test", "1", Reply.policy(ENFORCE));
        TrustOptions otherAnchor = TestCertificates.forNames("unrelated.example.test").trust();
        PolicyLookup untrusted =
                await(resolver(Duration.ZERO, Duration.ofSeconds(10), otherAnchor).lookup("enforce.test"));
        assertEquals(new TlsPolicy.None(), untrusted.policy());
        assertProblem(untrusted, TlsResult.STS_WEBPKI_INVALID);
    }

    @Test
    void withoutExactlyOneStsRecordThereIsNoPolicyAndNoFetch() throws Exception {
        MtaStsResolver resolver = resolver();
        PolicyLookup none = await(resolver.lookup("missing.test"));
        assertEquals(new TlsPolicy.None(), none.policy());
        assertEquals(PolicyLookup.Source.NOT_PUBLISHED, none.source());
        assertEquals(Optional.empty(), none.problem());

        dns.txt("_mta-sts.missing.test", "v=STSv1; id=a;", 300).txt("_mta-sts.missing.test", "v=STSv1; id=b;", 300)
                .address("mta-sts.missing.test", "127.0.0.1", 300);
        https.serve("mta-sts.missing.test", Reply.policy(ENFORCE));
        assertEquals(PolicyLookup.Source.NOT_PUBLISHED, await(resolver.lookup("missing.test")).source());
        assertEquals(0, https.requests("mta-sts.missing.test"));
        assertEquals(1, dns.queries("_mta-sts.missing.test", "TXT") - 1, "asked DNS each time, nothing cached");
    }

    @Test
    void fetchThatTakesTooLongFails() throws Exception {
        publish("slow.test", "1", Reply.silence());
        long start = System.nanoTime();
        PolicyLookup lookup = await(resolver(Duration.ZERO, Duration.ofSeconds(1), policyCertificate.trust())
                .lookup("slow.test"));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(new TlsPolicy.None(), lookup.policy());
        assertProblem(lookup, TlsResult.STS_POLICY_FETCH_ERROR);
        assertTrue(ms >= 900 && ms < 5000, "ended by the 1 s fetch timeout, took " + ms + " ms");
    }

    @Test
    void concurrentLookupsOfOneDomainShareOneFetch() throws Exception {
        publish("shared.test", "s1", Reply.policy(ENFORCE));
        MtaStsResolver resolver = resolver();
        List<Future<TlsPolicy>> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            all.add(resolver.policyFor("shared.test"));
        }
        for (Future<TlsPolicy> f : all) {
            assertInstanceOf(TlsPolicy.Enforce.class, await(f));
        }
        assertEquals(1, https.requests("mta-sts.shared.test"));
        assertEquals(1, dns.queries("_mta-sts.shared.test", "TXT"));
    }
}
