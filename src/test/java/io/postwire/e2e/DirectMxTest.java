package io.postwire.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.bus.Topics;
import io.postwire.event.BounceClass;
import io.postwire.event.Bounced;
import io.postwire.event.Deferred;
import io.postwire.event.Delivered;
import io.postwire.event.EventCodec;
import io.postwire.event.EventEnvelope;
import io.postwire.event.Expired;
import io.postwire.event.PostwireEvent;
import io.postwire.event.RetryScheduled;
import io.postwire.event.SendRequested;
import io.postwire.testsupport.DeliveryTestResource;
import io.postwire.testsupport.PostwireInfra;
import io.postwire.testsupport.ReceivedMessage;
import io.postwire.testsupport.SelfSignedTls;
import io.postwire.testsupport.TestSmtpServer;
import io.postwire.testsupport.TestKafkaClients;
import io.postwire.testsupport.TopicTap;
import io.postwire.testsupport.dns.TestDnsServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Direct-to-MX delivery with no relay: a real DNS server ({@link TestDnsServer}) names the
 * exchangers, all on one port on different loopback addresses (Linux routes 127/8 to lo): a good
 * SMTP server on 127.0.0.1, one that accepts connections and never speaks on 127.0.0.3, and
 * nothing on 127.0.0.4 (connection refused).
 */
@QuarkusTest
@QuarkusTestResource(DeliveryTestResource.class)
@TestProfile(DirectMxTest.DirectMx.class)
class DirectMxTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static TestSmtpServer good;
    private static TestDnsServer dns;
    private static HangingServer hanging;
    private static TestSmtpServer refusing;
    private static TestSmtpServer brokenTls;
    private static TestSmtpServer flaky;
    private final EventCodec codec = new EventCodec();

    /** No relay: DNS and exchangers are the local servers; shaping generous except where a test says. */
    public static class DirectMx implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            start();
            Map<String, String> c = new HashMap<>();
            c.put("postwire.relay.host", "");
            c.put("postwire.dns.servers", dns.hostPort());
            c.put("postwire.mx.port", Integer.toString(good.port()));
            c.put("postwire.mx.tls", "off");
            c.put("postwire.mx.connect-timeout", "PT2S");
            c.put("postwire.mx.command-timeout", "PT20S");
            c.put("postwire.shaping.defaults.message-rate", "200/s");
            c.put("postwire.shaping.defaults.connection-rate", "200/s");
            c.put("postwire.shaping.defaults.max-connections", "4");
            c.put("postwire.dispatch.shaping-max-wait", "PT2S");
            c.put("postwire.mx.domain-tls.\"tls-required.test\"", "required");
            c.put("postwire.mx.domain-tls.\"tls-broken.test\"", "optional");
            // A second sending pool: its own source address, EHLO name and shaping state.
            c.put("postwire.pools.bulk.source-address", "127.0.0.7");
            c.put("postwire.pools.bulk.helo-name", "bulk-out.example.test");
            c.put("postwire.pools.bulk.sender-domains", "bulk.example.test");
            c.put("postwire.shaping.pools.bulk.defaults.max-connections", "2");
            // Small retry tiers and a quick first retry after a 4xx, to show tiers keep retries apart.
            c.put("postwire.dispatch.retry-max-waiting", "4");
            c.put("postwire.dispatch.retry.reply.initial", "PT2S");
            // MTA-STS peers and smarthost routes share this application (one start for both classes).
            c.putAll(MtaStsAndRoutesTest.configure(dns, good.port()));
            return c;
        }
    }

    static synchronized void start() {
        if (dns != null) {
            return;
        }
        good = TestSmtpServer.start();
        hanging = new HangingServer("127.0.0.3", good.port());
        dns = TestDnsServer.start();
        for (String d : List.of("good.test", "good2.test")) {
            dns.mx(d, 10, "mx." + d, 60).address("mx." + d, "127.0.0.1", 60);
        }
        // The first exchanger refuses connections; the second takes the mail.
        dns.mx("fallback.test", 10, "mx1.fallback.test", 60).address("mx1.fallback.test", "127.0.0.4", 60)
                .mx("fallback.test", 20, "mx2.fallback.test", 60).address("mx2.fallback.test", "127.0.0.1", 60);
        dns.mx("hang.test", 10, "mx.hang.test", 60).address("mx.hang.test", "127.0.0.3", 60);
        dns.nullMx("nullmx.test", 60);
        dns.txt("nohost.test", "v=spf1 -all", 60); // exists, no MX, no address: unroutable
        // Two domains on one site: alias.test's exchanger is parked.test's.
        dns.mx("parked.test", 10, "mx.parked.test", 60).address("mx.parked.test", "127.0.0.1", 60);
        dns.mx("alias.test", 10, "mx.parked.test", 60);
        dns.mx("held.test", 10, "mx.held.test", 60).address("mx.held.test", "127.0.0.1", 60);
        dns.mx("pooled.test", 10, "mx.pooled.test", 60).address("mx.pooled.test", "127.0.0.1", 60);
        dns.mx("jam.test", 10, "mx.jam.test", 60).address("mx.jam.test", "127.0.0.1", 60);
        flaky = TestSmtpServer.startOn("127.0.0.8", good.port(),
                TestSmtpServer.Options.defaults().withReply("RCPT", "451 4.3.0 try again shortly"), null);
        dns.mx("flaky.test", 10, "mx.flaky.test", 60).address("mx.flaky.test", "127.0.0.8", 60);
        // An exchanger that greets with 554: the next one takes the mail; alone, the send waits.
        refusing = TestSmtpServer.startOn("127.0.0.5", good.port(),
                TestSmtpServer.Options.defaults().withGreeting("554 5.3.2 no service for you right now"), null);
        dns.mx("greet.test", 10, "mx1.greet.test", 60).address("mx1.greet.test", "127.0.0.5", 60)
                .mx("greet.test", 20, "mx2.greet.test", 60).address("mx2.greet.test", "127.0.0.1", 60);
        dns.mx("refuses.test", 10, "mx.refuses.test", 60).address("mx.refuses.test", "127.0.0.5", 60);
        // Per-domain TLS: good.port() offers no STARTTLS (required → defer); the broken one offers
        // it and then breaks the handshake (optional → plain text on the same address).
        dns.mx("tls-required.test", 10, "mx.tls-required.test", 60).address("mx.tls-required.test", "127.0.0.1", 60);
        brokenTls = TestSmtpServer.startOn("127.0.0.6", good.port(), TestSmtpServer.Options.defaults().withStartTls()
                .withStartTlsFault(TestSmtpServer.StartTlsFault.GARBAGE), SelfSignedTls.serverContext());
        dns.mx("tls-broken.test", 10, "mx.tls-broken.test", 60).address("mx.tls-broken.test", "127.0.0.6", 60);
    }

    @Test
    void deliversToTheExchangerAndFallsBackToTheNextOne() {
        String to = "ann-" + tag() + "@good.test";
        String other = "bob-" + tag() + "@fallback.test";
        String id = submit(List.of(to));
        String id2 = submit(List.of(other));
        assertEquals(to, good.awaitMessageFor(to, WAIT).recipients().get(0));
        good.awaitMessageFor(other, WAIT);
        try (TopicTap events = tap(Topics.EVENTS)) {
            Delivered d = (Delivered) event(events, Delivered.class, id + ".1");
            assertTrue(d.remoteHost().startsWith("127.0.0.1"), d.remoteHost());
            Delivered d2 = (Delivered) event(events, Delivered.class, id2 + ".1");
            assertTrue(d2.remoteHost().startsWith("127.0.0.1"), d2.remoteHost());
        }
        // postwire.mx.tls=off here: the reputation view records that good.test got mail without TLS.
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/reputation/domains/good.test").then().statusCode(200)
                .body("asRecipientDomain.totals.delivered", org.hamcrest.Matchers.greaterThanOrEqualTo(1))
                .body("asRecipientDomain.totals.deliveredTls", equalTo(0))
                .body("asRecipientDomain.rates.tls", equalTo(0.0f)));
        // Ingest keyed the send by site: the registrable domain of the best exchanger.
        try (TopicTap sends = tap(Topics.SEND)) {
            assertEquals("good.test", sends.await(r -> r.value().length > 0 && new String(r.value())
                    .contains(id + ".1"), WAIT).key());
        }
    }

    @Test
    void a554GreetingMovesOnToTheNextExchangerAndNeverBounces() {
        String to = "g-" + tag() + "@greet.test";
        String alone = "r-" + tag() + "@refuses.test";
        String id = submit(List.of(to));
        String id2 = submit(List.of(alone));
        good.awaitMessageFor(to, WAIT);
        try (TopicTap events = tap(Topics.EVENTS)) {
            Delivered d = (Delivered) event(events, Delivered.class, id + ".1");
            assertTrue(d.remoteHost().startsWith("127.0.0.1"), d.remoteHost());
            Deferred w = (Deferred) event(events, Deferred.class, id2 + ".1");
            assertEquals(554, w.reply().code(), "the greeting is the reply: " + w);
            assertTrue(w.nextAttemptAt().isAfter(Instant.now()), w.toString());
        }
        assertTrue(refusing.connectionCount() >= 2, "both domains tried the refusing exchanger first");
        assertTrue(refusing.commands().stream().allMatch("QUIT"::equals), refusing.commands().toString());
        assertEquals(0, terminalCounts(List.of(id2 + ".1")).getOrDefault(id2 + ".1", 0), "no bounce");
    }

    @Test
    void tlsIsRequiredPerDomainAndABrokenOpportunisticHandshakeFallsBackToPlainText() {
        String strict = "s-" + tag() + "@tls-required.test";
        String broken = "b-" + tag() + "@tls-broken.test";
        String id = submit(List.of(strict));
        String id2 = submit(List.of(broken));
        ReceivedMessage m = brokenTls.awaitMessageFor(broken, WAIT);
        assertFalse(m.tls(), "delivered in plain text after the broken handshake");
        assertTrue(brokenTls.commands().contains("STARTTLS"), "TLS was tried first: " + brokenTls.commands());
        try (TopicTap events = tap(Topics.EVENTS)) {
            Delivered d = (Delivered) event(events, Delivered.class, id2 + ".1");
            assertFalse(d.tls(), d.toString());
            Deferred w = (Deferred) event(events, Deferred.class, id + ".1");
            assertTrue(w.failure() != null && w.failure().contains("STARTTLS"), w.toString());
        }
        assertTrue(good.messages().stream().noneMatch(x -> x.recipients().contains(strict)),
                "a domain that requires TLS never gets mail in plain text");
    }

    @Test
    void eachSendingPoolLeavesFromItsOwnAddressAndHasItsOwnSiteState() {
        suspend("pooled.test", "bulk", "1h", "bulk IP listed");
        String bulk = "b-" + tag() + "@pooled.test";
        String plain = "p-" + tag() + "@pooled.test";
        String bulkId = submit("news@bulk.example.test", List.of(bulk)) + ".1";
        submit(List.of(plain));

        // The default pool is not suspended: its mail goes, from the kernel's address.
        ReceivedMessage p = good.awaitMessageFor(plain, WAIT);
        assertEquals("127.0.0.1", p.clientAddress());
        try (TopicTap retry = tap(Topics.RETRY_2H)) { // parked for an hour: the 15 min – 2 h tier
            retry.await(r -> "pooled.test".equals(r.key()) && new String(r.value()).contains(bulkId), WAIT);
        }
        assertTrue(good.messages().stream().noneMatch(m -> m.recipients().contains(bulk)), "bulk pool is suspended");

        resume("pooled.test", "bulk", "delisted");
        ReceivedMessage b = good.awaitMessageFor(bulk, WAIT);
        assertEquals("127.0.0.7", b.clientAddress(), "the bulk pool's source address");
        assertEquals("bulk-out.example.test", b.helo(), "the bulk pool's EHLO name");
        assertTrue(!"bulk-out.example.test".equals(p.helo()), p.helo());
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/sites").then().statusCode(200)
                .body("sites.findAll { it.site == 'pooled.test' }.pool", org.hamcrest.Matchers.hasItems("bulk", "default"))
                .body("sites.findAll { it.site == 'pooled.test' && it.pool == 'bulk' }.state", hasItem("active"))
                // the pool's own limit (postwire.shaping.pools.bulk.defaults.max-connections=2)
                .body("sites.findAll { it.site == 'pooled.test' && it.pool == 'bulk' }.configured.maxConnections",
                        hasItem(2))
                .body("sites.findAll { it.site == 'pooled.test' && it.pool == 'default' }.configured.maxConnections",
                        hasItem(4)));
    }

    @Test
    void sendsParkedForHoursNeverHoldUpAnotherSitesShortRetry() {
        suspend("jam.test", "default", "3h", "long block");
        // More parked sends than a tier's forwarder holds (retry-max-waiting=4): that tier is full.
        List<String> jammed = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            jammed.add("j" + i + "-" + tag() + "@jam.test");
        }
        List<String> jamIds = new ArrayList<>();
        try (TopicTap longTier = tap(Topics.RETRY_LONG)) {
            for (String to : jammed) {
                jamIds.add(submit(List.of(to)) + ".1");
            }
            for (String rid : jamIds) {
                longTier.await(r -> "jam.test".equals(r.key()) && new String(r.value()).contains(rid), WAIT);
            }
        }
        // The full tier holds 4 of the 6 (the bound); the API shows those.
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/sites").then().statusCode(200)
                .body("sites.find { it.site == 'jam.test' }.parked", equalTo(4)));
        // Another site defers with a 2-second retry: it must not wait behind the 3-hour parkings.
        String to = "f-" + tag() + "@flaky.test";
        String id = submit(List.of(to)) + ".1";
        try (TopicTap events = tap(Topics.EVENTS)) {
            Deferred d = (Deferred) event(events, Deferred.class, id);
            assertEquals(451, d.reply().code());
        }
        flaky.reconfigure(TestSmtpServer.Options.defaults());
        flaky.awaitMessageFor(to, Duration.ofSeconds(20));

        // Resuming releases every jammed send, also those the full tier had not read yet.
        resume("jam.test", "default", "over");
        for (String j : jammed) {
            good.awaitMessageFor(j, WAIT);
        }
    }

    @Test
    void domainsWithoutMailBounceAsTheDnsSays() {
        String nullMx = submit(List.of("a-" + tag() + "@nullmx.test"));
        String nx = submit(List.of("b-" + tag() + "@nxdomain.test"));
        String unroutable = submit(List.of("c-" + tag() + "@nohost.test"));
        try (TopicTap events = tap(Topics.EVENTS)) {
            Bounced b1 = (Bounced) event(events, Bounced.class, nullMx + ".1");
            assertEquals(556, b1.reply().code());
            assertEquals("5.1.10", b1.reply().enhancedCode());
            assertEquals(BounceClass.BAD_DOMAIN, b1.bounceClass());
            Bounced b2 = (Bounced) event(events, Bounced.class, nx + ".1");
            assertEquals(550, b2.reply().code());
            assertEquals("5.1.2", b2.reply().enhancedCode());
            assertEquals(BounceClass.BAD_DOMAIN, b2.bounceClass());
            Bounced b3 = (Bounced) event(events, Bounced.class, unroutable + ".1");
            assertEquals("5.4.4", b3.reply().enhancedCode());
        }
    }

    @Test
    void aHangingSiteDoesNotStallAnotherSite() {
        List<String> stuck = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            stuck.add(submit(List.of("h" + i + "-" + tag() + "@hang.test")));
        }
        await().atMost(WAIT).until(() -> hanging.accepted() >= 1);
        List<String> flowing = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String to = "g" + i + "-" + tag() + "@good2.test";
            submit(List.of(to));
            flowing.add(to);
        }
        long started = System.nanoTime();
        for (String to : flowing) {
            good.awaitMessageFor(to, Duration.ofSeconds(15));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        // Still hanging: no stuck send has an outcome, yet every good one went through.
        assertTrue(hanging.open() >= 1, "the hanging exchanger should still hold connections");
        assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, took.toString());
        // The site's connections are capped (max-connections=4), so the rest wait in the gate.
        assertTrue(hanging.accepted() <= 4, "accepted " + hanging.accepted());
    }

    @Test
    void sendsBehindASuspendedSiteParkAndExpireExactlyOnce() throws Exception {
        suspend("parked.test", "default", "1h", "test block");
        // An external producer keys by domain: the dispatcher moves the records to the site's key.
        List<String> ids = new ArrayList<>();
        Instant expires = Instant.now().plusSeconds(6);
        try (KafkaProducer<String, byte[]> p = producer()) {
            for (int i = 0; i < 3; i++) {
                String id = UUID.randomUUID().toString();
                String to = "p" + i + "-" + tag() + "@alias.test";
                SendRequested s = new SendRequested(id, id + ".1", "app@example.test", to, null, List.of(to), null,
                        "parked", "text", null, null, Map.of(), List.of(), null, Instant.now(), expires, null);
                p.send(new ProducerRecord<>(Topics.SEND, "alias.test",
                        codec.write(EventEnvelope.of("test", Instant.now(), s)))).get();
                ids.add(id + ".1");
            }
        }
        try (TopicTap retry = tap(Topics.RETRY); TopicTap sends = tap(Topics.SEND)) {
            for (String rid : ids) {
                ConsumerRecord<String, byte[]> moved = sends.await(r -> "parked.test".equals(r.key())
                        && new String(r.value()).contains(rid), WAIT);
                assertTrue(codec.read(moved.value()).data() instanceof SendRequested);
                ConsumerRecord<String, byte[]> parked = retry.await(r -> new String(r.value()).contains(rid), WAIT);
                assertEquals("parked.test", parked.key());
                RetryScheduled rs = (RetryScheduled) codec.read(parked.value()).data();
                assertEquals(1, rs.attempt(), "parking keeps the attempt number");
                assertTrue(!rs.notBefore().isAfter(expires), rs.notBefore() + " after " + expires);
            }
        }
        try (TopicTap events = tap(Topics.EVENTS)) {
            for (String rid : ids) {
                event(events, Expired.class, rid);
            }
        }
        // Give any duplicate time to show up, then require exactly one terminal event each.
        Thread.sleep(3000);
        Map<String, Integer> terminal = terminalCounts(ids);
        for (String rid : ids) {
            assertEquals(1, terminal.getOrDefault(rid, 0), "terminal events for " + rid + ": " + terminal);
        }
        assertEquals(0, good.messages().stream().filter(m -> m.recipients().get(0).endsWith("@alias.test")).count());
        resume("parked.test", "default", "done");
    }

    @Test
    void anOperatorsResumeSendsWhatWasParkedAtOnce() {
        suspend("held.test", "default", "1h", "provider incident");
        List<String> to = List.of("r1-" + tag() + "@held.test", "r2-" + tag() + "@held.test");
        List<String> ids = new ArrayList<>();
        try (TopicTap retry = tap(Topics.RETRY_2H)) {
            for (String r : to) {
                ids.add(submit(List.of(r)) + ".1");
            }
            for (String rid : ids) {
                RetryScheduled rs = (RetryScheduled) codec.read(retry.await(r -> "held.test".equals(r.key())
                        && new String(r.value()).contains(rid), WAIT).value()).data();
                assertTrue(rs.notBefore().isAfter(Instant.now().plus(Duration.ofMinutes(50))),
                        "parked until the suspension ends: " + rs.notBefore());
            }
        }
        assertEquals(0, good.messages().stream().filter(m -> m.recipients().get(0).endsWith("@held.test")).count());
        // The operator sees what waits for the site: two parked sends, and since when.
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/sites").then().statusCode(200)
                .body("sites.find { it.site == 'held.test' }.parked", equalTo(2))
                .body("sites.find { it.site == 'held.test' }.oldestWaiting", org.hamcrest.Matchers.notNullValue()));

        resume("held.test", "default", "incident over");
        // Parked for an hour; the resume brings them back now.
        for (String r : to) {
            good.awaitMessageFor(r, Duration.ofSeconds(15));
        }
        try (TopicTap events = tap(Topics.EVENTS)) {
            for (String rid : ids) {
                event(events, Delivered.class, rid);
            }
        }
    }

    @Test
    void siteApiNeedsAKeyAndValidatesCommands() {
        given().get("/api/v1/sites").then().statusCode(401);
        given().auth().oauth2(DeliveryTestResource.API_KEY).contentType(ContentType.JSON)
                .body(Map.of("duration", "forever")).post("/api/v1/sites/x.test/suspend").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("duration"));
        String to = "s-" + tag() + "@good.test";
        submit(List.of(to));
        good.awaitMessageFor(to, WAIT);
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/sites").then().statusCode(200).body("shaping", equalTo(true))
                .body("sites.find { it.site == 'good.test' }.state", equalTo("active"))
                .body("sites.find { it.site == 'good.test' }.lastReply", org.hamcrest.Matchers.startsWith("250")));
    }

    /** Suspends a site for a pool through the API and waits until the dispatcher holds it suspended. */
    private static void suspend(String site, String pool, String duration, String reason) {
        given().auth().oauth2(DeliveryTestResource.API_KEY).contentType(ContentType.JSON)
                .body(Map.of("duration", duration, "reason", reason, "pool", pool))
                .post("/api/v1/sites/" + site + "/suspend").then().statusCode(202)
                .body("command", equalTo("suspend")).body("pool", equalTo(pool));
        await().atMost(WAIT).untilAsserted(() -> given().auth().oauth2(DeliveryTestResource.API_KEY)
                .get("/api/v1/sites").then().statusCode(200)
                .body("sites.findAll { it.site == '" + site + "' && it.pool == '" + pool + "' }.state",
                        hasItem("suspended")));
    }

    private static void resume(String site, String pool, String reason) {
        given().auth().oauth2(DeliveryTestResource.API_KEY).contentType(ContentType.JSON)
                .body(Map.of("reason", reason, "pool", pool)).post("/api/v1/sites/" + site + "/resume")
                .then().statusCode(202).body("command", equalTo("resume"));
    }

    /** Counts Delivered/Bounced/Expired/Rejected per recipient id over the whole events topic. */
    private Map<String, Integer> terminalCounts(List<String> ids) {
        Set<String> wanted = Set.copyOf(ids);
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        try (TopicTap events = tap(Topics.EVENTS)) {
            try {
                events.await(r -> {
                    PostwireEvent e = codec.read(r.value()).data();
                    if (wanted.contains(e.recipientId()) && (e instanceof Delivered || e instanceof Bounced
                            || e instanceof Expired || e instanceof io.postwire.event.Rejected)) {
                        counts.merge(e.recipientId(), 1, Integer::sum);
                    }
                    return false;
                }, Duration.ofSeconds(5));
            } catch (AssertionError readToTheEnd) {
                // expected: the predicate never matches, it only counts
            }
        }
        return counts;
    }

    private PostwireEvent event(TopicTap events, Class<?> type, String recipientId) {
        Predicate<ConsumerRecord<String, byte[]>> match = r -> {
            EventEnvelope e = codec.read(r.value());
            return type.isInstance(e.data()) && recipientId.equals(e.data().recipientId());
        };
        return codec.read(events.await(match, WAIT).value()).data();
    }

    private static String submit(List<String> to) {
        return submit("app@example.test", to);
    }

    private static String submit(String from, List<String> to) {
        return given().auth().oauth2(DeliveryTestResource.API_KEY).contentType(ContentType.JSON)
                .body(Map.of("from", from, "to", to, "subject", "direct", "text", "hello"))
                .post("/api/v1/messages").then().statusCode(202).extract().path("messageId");
    }

    private static TopicTap tap(String topic) {
        return new TopicTap(PostwireInfra.config().get("kafka.bootstrap.servers"), topic);
    }

    private static KafkaProducer<String, byte[]> producer() {
        return TestKafkaClients.producer(PostwireInfra.config().get("kafka.bootstrap.servers"));
    }

    private static String tag() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** Accepts TCP connections and never says a word: an exchanger that hangs before its greeting. */
    static final class HangingServer {
        private final ServerSocket socket;
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        HangingServer(String address, int port) {
            try {
                socket = new ServerSocket();
                socket.bind(new InetSocketAddress(InetAddress.getByName(address), port), 50);
            } catch (IOException e) {
                throw new IllegalStateException("cannot bind " + address + ":" + port, e);
            }
            Thread t = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        held.add(socket.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "hanging-mx");
            t.setDaemon(true);
            t.start();
        }

        int accepted() {
            return held.size();
        }

        long open() {
            return held.stream().filter(s -> !s.isClosed()).count();
        }
    }
}
