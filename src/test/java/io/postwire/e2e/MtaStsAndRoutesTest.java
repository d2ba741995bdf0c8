package io.postwire.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.bus.Topics;
import io.postwire.event.Bounced;
import io.postwire.event.Deferred;
import io.postwire.event.Delivered;
import io.postwire.event.EventCodec;
import io.postwire.event.EventEnvelope;
import io.postwire.event.PostwireEvent;
import io.postwire.oauth.TestTokenEndpoint;
import io.postwire.testsupport.DeliveryTestResource;
import io.postwire.testsupport.PostwireInfra;
import io.postwire.testsupport.ReceivedMessage;
import io.postwire.testsupport.TestCertificates;
import io.postwire.testsupport.TestSmtpServer;
import io.postwire.testsupport.TopicTap;
import io.postwire.testsupport.dns.TestDnsServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * MTA-STS enforcement and per-domain smarthost routes in direct delivery, in the same application
 * as {@link DirectMxTest} (same profile, one start): the DNS server publishes {@code _mta-sts}
 * records, a real HTTPS server on 127.0.0.1 serves the policies, and exchangers on other loopback
 * addresses present certificates made for chosen names, all trusted through
 * {@code postwire.mx.tls-trust-store}:
 *
 * <ul>
 *   <li>127.0.0.11 — STARTTLS, certificate for the "good" MX names below
 *   <li>127.0.0.12 — STARTTLS, certificate for {@code wrong.example.test} only (trusted, wrong name)
 *   <li>127.0.0.13 — no TLS at all; an MX host no policy names
 * </ul>
 *
 * Two smarthosts (STARTTLS + AUTH PLAIN, STARTTLS + XOAUTH2) take the routed domains.
 */
@QuarkusTest
@QuarkusTestResource(DeliveryTestResource.class)
@TestProfile(DirectMxTest.DirectMx.class)
class MtaStsAndRoutesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String GOOD_NAMES = "mx.enforce-ok.test,mx2.enforce-fallback.test,mx-good.notinpolicy.test";
    private static final String USER = "route-user@example.test";
    private static final String PASSWORD = "route-" + UUID.randomUUID();
    private static final String OAUTH_USER = "sender@m365.example.test";

    private static TestSmtpServer verified;
    private static TestSmtpServer wrongName;
    private static TestSmtpServer rogue;
    private static TestSmtpServer smarthost;
    private static TestSmtpServer oauthSmarthost;
    private static TestTokenEndpoint tokens;
    private static Vertx vertx;
    private static Map<String, String> configuration;
    private static TestDnsServer dns;

    private final EventCodec codec = new EventCodec();

    /**
     * Adds the MTA-STS peers and the routes to {@link DirectMxTest.DirectMx}'s configuration:
     * exchangers on {@code mxPort} (the one port of direct delivery), DNS records in {@code dns}.
     */
    static synchronized Map<String, String> configure(TestDnsServer dns, int mxPort) {
        if (configuration == null) {
            Map<String, String> config = new java.util.HashMap<>();
            start(dns, mxPort, config);
            configuration = Map.copyOf(config);
        }
        return configuration;
    }

    private static void start(TestDnsServer server, int mxPort, Map<String, String> config) {
        dns = server;
        try {
            TestCertificates good = TestCertificates.forNames(GOOD_NAMES.split(","));
            TestCertificates wrong = TestCertificates.forNames("wrong.example.test");
            verified = TestSmtpServer.startOn("127.0.0.11", mxPort, TestSmtpServer.Options.defaults().withStartTls(),
                    good.serverContext());
            wrongName = TestSmtpServer.startOn("127.0.0.12", mxPort,
                    TestSmtpServer.Options.defaults().withStartTls(), wrong.serverContext());
            rogue = TestSmtpServer.startOn("127.0.0.13", mxPort, TestSmtpServer.Options.defaults(), null);

            Map<String, String> policies = Map.of(
                    "enforce-ok.test", "mode: enforce\nmx: mx.enforce-ok.test\n",
                    "enforce-fallback.test", "mode: enforce\nmx: *.enforce-fallback.test\n",
                    "enforce-wrongname.test", "mode: enforce\nmx: mx.enforce-wrongname.test\n",
                    "notinpolicy.test", "mode: enforce\nmx: mx-good.notinpolicy.test\n",
                    "testing-wrongname.test", "mode: testing\nmx: mx.testing-wrongname.test\n");
            TestCertificates policyHosts = TestCertificates.forNames(policies.keySet().stream()
                    .map(d -> "mta-sts." + d).toArray(String[]::new));
            vertx = Vertx.vertx();
            int httpsPort = policyServer(policyHosts, policies);
            for (String domain : policies.keySet()) {
                dns.txt("_mta-sts." + domain, "v=STSv1; id=20240101;", 60)
                        .address("mta-sts." + domain, "127.0.0.1", 60);
            }
            exchanger(dns, "enforce-ok.test", 10, "mx.enforce-ok.test", "127.0.0.11");
            // The preferred exchanger has a certificate for another name; the second one is good.
            exchanger(dns, "enforce-fallback.test", 10, "mx1.enforce-fallback.test", "127.0.0.12");
            exchanger(dns, "enforce-fallback.test", 20, "mx2.enforce-fallback.test", "127.0.0.11");
            exchanger(dns, "enforce-wrongname.test", 10, "mx.enforce-wrongname.test", "127.0.0.12");
            // The preferred exchanger is not in the policy (as if DNS were spoofed): never contacted.
            exchanger(dns, "notinpolicy.test", 10, "mx-rogue.notinpolicy.test", "127.0.0.13");
            exchanger(dns, "notinpolicy.test", 20, "mx-good.notinpolicy.test", "127.0.0.11");
            exchanger(dns, "testing-wrongname.test", 10, "mx.testing-wrongname.test", "127.0.0.12");
            exchanger(dns, "nopolicy.test", 10, "mx.nopolicy.test", "127.0.0.11");
            // Routed domains have MX records too, pointing at the rogue server: routing must win.
            exchanger(dns, "routed.test", 10, "mx.routed.test", "127.0.0.13");
            // A tenant of the partner's mail system: routed by its MX-rollup site, not by name.
            exchanger(dns, "tenant.test", 10, "inbound.partnerhosting.test", "127.0.0.13");

            Path trust = Files.createTempFile("postwire-mx-trust", ".pem");
            trust.toFile().deleteOnExit();
            StringBuilder pem = new StringBuilder();
            for (TestCertificates c : List.of(good, wrong, policyHosts)) {
                c.trust().getCertValues().forEach(b -> pem.append(b.toString(StandardCharsets.US_ASCII)));
            }
            Files.writeString(trust, pem);
            config.put("postwire.mx.tls-trust-store", trust.toString());
            config.put("postwire.mx.mta-sts-policy-port", Integer.toString(httpsPort));

            smarthost = TestSmtpServer.start(TestSmtpServer.Options.defaults().withStartTls().withAuth(USER, PASSWORD));
            config.put("postwire.routes.partner.domains", "routed.test,Routed2.test");
            config.put("postwire.routes.partner.sites", "partnerhosting.test");
            config.put("postwire.routes.partner.host", "127.0.0.1");
            config.put("postwire.routes.partner.port", Integer.toString(smarthost.port()));
            config.put("postwire.routes.partner.tls", "required");
            config.put("postwire.routes.partner.trust-all", "true");
            config.put("postwire.routes.partner.username", USER);
            config.put("postwire.routes.partner.password", PASSWORD);
            config.put("postwire.routes.partner.auth-mechanism", "plain");

            tokens = TestTokenEndpoint.start();
            oauthSmarthost = TestSmtpServer.start(TestSmtpServer.Options.defaults().withStartTls()
                    .withXoauth2(OAUTH_USER, tokens::isValid));
            config.put("postwire.routes.m365.domains", "oauth.test");
            config.put("postwire.routes.m365.host", "127.0.0.1");
            config.put("postwire.routes.m365.port", Integer.toString(oauthSmarthost.port()));
            config.put("postwire.routes.m365.tls", "required");
            config.put("postwire.routes.m365.trust-all", "true");
            config.put("postwire.routes.m365.username", OAUTH_USER);
            config.put("postwire.routes.m365.oauth.token-url", tokens.uri().toString());
            config.put("postwire.routes.m365.oauth.client-id", TestTokenEndpoint.CLIENT_ID);
            config.put("postwire.routes.m365.oauth.client-secret", TestTokenEndpoint.CLIENT_SECRET);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the MTA-STS and route peers", e);
        }
    }

    private static void exchanger(TestDnsServer dns, String domain, int preference, String host, String address) {
        dns.mx(domain, preference, host, 60).address(host, address, 60);
    }

    /** Serves each domain's policy at {@code https://mta-sts.<domain>/.well-known/mta-sts.txt}. */
    private static int policyServer(TestCertificates certificate, Map<String, String> policies) throws Exception {
        Map<String, String> byHost = new ConcurrentHashMap<>();
        policies.forEach((d, p) -> byHost.put("mta-sts." + d, "version: STSv1\n" + p + "max_age: 86400\n"));
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setSsl(true)
                .setKeyCertOptions(certificate.keyCert()).setHost("127.0.0.1").setPort(0));
        server.requestHandler(req -> {
            String host = req.authority() == null ? "" : req.authority().host().toLowerCase(Locale.ROOT);
            String body = byHost.get(host);
            if (body == null || !"/.well-known/mta-sts.txt".equals(req.path())) {
                req.response().setStatusCode(404).end();
                return;
            }
            req.response().putHeader("Content-Type", "text/plain").end(Buffer.buffer(body));
        });
        return server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    }

    @Test
    void enforceDeliversOverVerifiedTlsToAMatchingExchanger() {
        String to = "ok-" + tag() + "@enforce-ok.test";
        String id = submit(to);
        ReceivedMessage m = verified.awaitMessageFor(to, WAIT);
        assertTrue(m.tls(), "sent without TLS");
        try (TopicTap events = tap(Topics.EVENTS)) {
            Delivered d = (Delivered) event(events, Delivered.class, id + ".1");
            assertTrue(d.tls(), "Delivered.tls");
            assertTrue(d.remoteHost().startsWith("127.0.0.11"), d.remoteHost());
        }
        assertMetric("postwire_tls_reports_total{mode=\"enforce\",result=\"success\"}");
        // Recorded per domain: the reputation view counts deliveries over TLS.
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/reputation/domains/enforce-ok.test").then().statusCode(200)
                .body("asRecipientDomain.totals.delivered", org.hamcrest.Matchers.greaterThanOrEqualTo(1))
                .body("asRecipientDomain.rates.tls", org.hamcrest.Matchers.equalTo(1.0f)));
    }

    @Test
    void enforceMovesPastACertificateForTheWrongNameToTheNextExchanger() {
        String to = "fb-" + tag() + "@enforce-fallback.test";
        String id = submit(to);
        assertTrue(verified.awaitMessageFor(to, WAIT).tls());
        try (TopicTap events = tap(Topics.EVENTS)) {
            Delivered d = (Delivered) event(events, Delivered.class, id + ".1");
            assertTrue(d.remoteHost().startsWith("127.0.0.11"), d.remoteHost());
        }
        assertFalse(received(wrongName, to), "the exchanger with the wrong certificate got the message");
        assertMetric("postwire_tls_reports_total{mode=\"enforce\",result=\"certificate-host-mismatch\"}");
    }

    @Test
    void enforceDefersWhenNoExchangerHasAValidCertificateAndNeverBounces() {
        String to = "wn-" + tag() + "@enforce-wrongname.test";
        String id = submit(to);
        try (TopicTap events = tap(Topics.EVENTS)) {
            Deferred d = (Deferred) event(events, Deferred.class, id + ".1");
            assertNull(d.reply());
            assertTrue(d.failure().toLowerCase(Locale.ROOT).contains("certificate"), d.failure());
            // The retry (1 s in tests) fails the same way: deferred again, still no bounce.
            Deferred again = (Deferred) event(events, e -> e instanceof Deferred x && x.attempt() == 2, id + ".1");
            assertEquals(2, again.attempt());
        }
        assertFalse(received(wrongName, to), "mail went to an exchanger that failed the policy");
        try (TopicTap events = tap(Topics.EVENTS)) {
            assertThrowsNoEvent(events, Bounced.class, id + ".1");
        }
    }

    @Test
    void enforceSkipsAnExchangerThePolicyDoesNotName() {
        int before = rogue.connectionCount();
        String to = "np-" + tag() + "@notinpolicy.test";
        String id = submit(to);
        assertTrue(verified.awaitMessageFor(to, WAIT).tls());
        try (TopicTap events = tap(Topics.EVENTS)) {
            event(events, Delivered.class, id + ".1");
        }
        assertEquals(before, rogue.connectionCount(), "the MX host outside the policy was contacted");
        assertMetric("postwire_tls_reports_total{mode=\"enforce\",result=\"validation-failure\"}");
    }

    @Test
    void testingModeRecordsTheFailureAndDeliversAnyway() {
        String to = "tm-" + tag() + "@testing-wrongname.test";
        String id = submit(to);
        wrongName.awaitMessageFor(to, WAIT);
        try (TopicTap events = tap(Topics.EVENTS)) {
            Delivered d = (Delivered) event(events, Delivered.class, id + ".1");
            assertTrue(d.remoteHost().startsWith("127.0.0.12"), d.remoteHost());
        }
        assertMetric("postwire_tls_reports_total{mode=\"testing\",result=\"certificate-host-mismatch\"}");
    }

    @Test
    void aDomainWithoutPolicyIsAskedForOneOnlyOnceInAWhile() {
        for (int i = 0; i < 3; i++) {
            String to = "n" + i + "-" + tag() + "@nopolicy.test";
            submit(to);
            verified.awaitMessageFor(to, WAIT);
        }
        assertEquals(1, dns.queries("_mta-sts.nopolicy.test", "TXT"), "TXT queries for a domain without policy");
    }

    @Test
    void aRoutedDomainGoesThroughItsSmarthostWhileOthersGoDirect() {
        String routed = "r-" + tag() + "@routed.test";
        String routed2 = "r2-" + tag() + "@ROUTED2.test";
        String bySite = "t-" + tag() + "@tenant.test";
        String direct = "d-" + tag() + "@good.test";
        String id = submit(routed);
        submit(routed2);
        String siteId = submit(bySite);
        submit(direct);
        ReceivedMessage m = smarthost.awaitMessageFor(routed, WAIT);
        assertTrue(m.tls());
        assertEquals(USER, m.authUser());
        assertTrue(smarthost.commands().stream().anyMatch(c -> c.startsWith("AUTH PLAIN")), smarthost.commands()
                .toString());
        smarthost.awaitMessageFor(routed2, WAIT);
        smarthost.awaitMessageFor(bySite, WAIT);
        assertFalse(received(rogue, routed), "the routed domain's own MX got the message");
        assertFalse(received(rogue, bySite), "the routed site's MX got the message");
        assertFalse(received(smarthost, direct), "a direct domain went through the route");
        try (TopicTap sends = tap(Topics.SEND)) {
            assertEquals("route:partner", sends.await(r -> new String(r.value()).contains(id + ".1"), WAIT).key());
            assertEquals("route:partner", sends.await(r -> new String(r.value()).contains(siteId + ".1"), WAIT)
                    .key());
        }
        try (TopicTap events = tap(Topics.EVENTS)) {
            Delivered d = (Delivered) event(events, Delivered.class, id + ".1");
            assertTrue(d.remoteHost().endsWith(":" + smarthost.port()), d.remoteHost());
        }
        // Routed mail is shaped as its own site.
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/sites").then().statusCode(200).body(containsString("route:partner")));
    }

    @Test
    void aRouteAuthenticatesWithXoauth2() {
        String to = "o-" + tag() + "@oauth.test";
        submit(to);
        ReceivedMessage m = oauthSmarthost.awaitMessageFor(to, WAIT);
        assertTrue(m.tls());
        assertEquals(OAUTH_USER, m.authUser());
        assertEquals(1, tokens.requestCount());
        assertTrue(tokens.isValid(oauthSmarthost.xoauth2Tokens().get(0)));
    }

    private static boolean received(TestSmtpServer server, String recipient) {
        return server.messages().stream().anyMatch(m -> m.recipients().contains(recipient));
    }

    private static void assertMetric(String series) {
        await().atMost(WAIT).untilAsserted(() -> {
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith(series) && !l.endsWith(" 0.0")),
                    series + " not counted");
        });
    }

    private void assertThrowsNoEvent(TopicTap events, Class<?> type, String recipientId) {
        try {
            events.await(r -> type.isInstance(codec.read(r.value()).data())
                    && recipientId.equals(codec.read(r.value()).data().recipientId()), Duration.ofSeconds(3));
        } catch (AssertionError none) {
            return;
        }
        throw new AssertionError("unexpected " + type.getSimpleName() + " for " + recipientId);
    }

    private PostwireEvent event(TopicTap events, Class<?> type, String recipientId) {
        return event(events, type::isInstance, recipientId);
    }

    private PostwireEvent event(TopicTap events, Predicate<PostwireEvent> what, String recipientId) {
        Predicate<ConsumerRecord<String, byte[]>> match = r -> {
            EventEnvelope e = codec.read(r.value());
            return what.test(e.data()) && recipientId.equals(e.data().recipientId());
        };
        return codec.read(events.await(match, WAIT).value()).data();
    }

    private static String submit(String to) {
        return given().auth().oauth2(DeliveryTestResource.API_KEY).contentType(ContentType.JSON)
                .body(Map.of("from", "app@example.test", "to", List.of(to), "subject", "sts", "text", "hello"))
                .post("/api/v1/messages").then().statusCode(202).extract().path("messageId");
    }

    private static TopicTap tap(String topic) {
        return new TopicTap(PostwireInfra.config().get("kafka.bootstrap.servers"), topic);
    }

    private static String tag() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
