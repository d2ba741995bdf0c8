package io.postwire.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.postwire.bus.Topics;
import io.postwire.dkim.DkimKeys;
import io.postwire.event.Bounced;
import io.postwire.event.Delivered;
import io.postwire.event.EventCodec;
import io.postwire.event.EventEnvelope;
import io.postwire.event.Expired;
import io.postwire.event.PostwireEvent;
import io.postwire.event.Rejected;
import io.postwire.event.SendRequested;
import io.postwire.testsupport.EmbeddedKafka;
import io.postwire.testsupport.EmbeddedPg;
import io.postwire.testsupport.LoopbackPorts;
import io.postwire.testsupport.PostwireProcess;
import io.postwire.testsupport.ReceivedMessage;
import io.postwire.testsupport.TestKafkaClients;
import io.postwire.testsupport.TestSmtpServer;
import io.postwire.testsupport.dns.TestDnsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Every recipient's story ends exactly once, even across a crash", direct to MX: the packaged
 * app delivers a backlog to three sites through a local DNS server and SMTP server, while a
 * fourth site is suspended by an operator (its sends parked on the retry topic, due when they
 * expire) and a null-MX domain bounces. The app is killed with SIGKILL mid-backlog and started
 * again. Every recipient must then have exactly one kind of terminal event (Delivered, Bounced,
 * Expired or Rejected): Delivered twice for the same recipient is at-least-once and tolerated
 * (counted), but two different endings, or none, fail the test.
 */
class DirectMxRestartIT {

    private static final int PER_SITE = 500;
    private static final List<String> SITES = List.of("one.test", "two.test", "three.test");
    private static final String PARKED_SITE = "parked.test";
    private static final int PARKED = 60;
    private static final String NULL_MX = "nomail.test";
    private static final int BOUNCES = 20;
    /** Parked sends expire this long after they are produced: after the restart, within the test. */
    private static final Duration PARKED_LIFETIME = Duration.ofSeconds(30);
    private static final String API_KEY = "restart-test";
    private static final Set<Class<?>> TERMINAL = Set.of(Delivered.class, Bounced.class, Expired.class,
            Rejected.class);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void everyRecipientEndsExactlyOnceAcrossAKill() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); EmbeddedPg pg = EmbeddedPg.start();
                TestSmtpServer mx = TestSmtpServer.start(); TestDnsServer dns = TestDnsServer.start()) {
            for (String site : SITES) {
                // a second domain on the same MX host rolls up into the same site
                dns.mx(site, 10, "mx." + site, 3600).mx("b." + site, 10, "mx." + site, 3600)
                        .address("mx." + site, "127.0.0.1", 3600);
            }
            dns.mx(PARKED_SITE, 10, "mx." + PARKED_SITE, 3600).address("mx." + PARKED_SITE, "127.0.0.1", 3600);
            dns.nullMx(NULL_MX, 3600);

            int port = LoopbackPorts.free();
            Map<String, String> env = environment(kafka, pg, dns, mx);
            Path log = dir.resolve("app.log");

            PostwireProcess first = PostwireProcess.start(env, port, log, Duration.ofSeconds(120));
            suspend(port, PARKED_SITE);
            Map<String, String> siteOf = produce(kafka.bootstrapServers());
            // every parked send is on the retry topic before the kill, and the backlog is under way
            awaitMetricAtLeast(port, "postwire_dispatch_parked_total", PARKED, Duration.ofSeconds(60));
            mx.awaitMessages(SITES.size() * PER_SITE / 5, Duration.ofSeconds(60));
            first.kill();
            int beforeKill = mx.messages().size();
            assertTrue(beforeKill < SITES.size() * PER_SITE,
                    "the kill must come before the backlog is done (" + beforeKill + " delivered)");

            Map<String, List<String>> endings;
            try (PostwireProcess second = PostwireProcess.start(env, port, log, Duration.ofSeconds(120))) {
                // The operator's suspension is taken up from the sites topic, not forgotten.
                awaitSuspended(port, PARKED_SITE, Duration.ofSeconds(5));
                endings = awaitEndings(kafka.bootstrapServers(), siteOf.keySet(), Duration.ofSeconds(90));
            }

            List<String> none = new ArrayList<>();
            List<String> conflicting = new ArrayList<>();
            Map<String, Integer> byKind = new TreeMap<>();
            int duplicates = 0;
            for (Map.Entry<String, String> e : siteOf.entrySet()) {
                List<String> ends = endings.getOrDefault(e.getKey(), List.of());
                Set<String> kinds = Set.copyOf(ends);
                if (ends.isEmpty()) {
                    none.add(e.getValue() + "/" + e.getKey());
                } else if (kinds.size() > 1) {
                    conflicting.add(e.getValue() + "/" + e.getKey() + " " + ends);
                } else {
                    byKind.merge(e.getValue() + " " + ends.get(0), 1, Integer::sum);
                    duplicates += ends.size() - 1;
                }
            }
            System.out.printf("direct-MX restart: %d sends, %d reached the MX before the kill, endings %s, "
                    + "%d duplicate endings%n", siteOf.size(), beforeKill, byKind, duplicates);
            assertTrue(none.isEmpty(), none.size() + " recipients have no terminal event, e.g. "
                    + none.stream().limit(5).toList());
            assertTrue(conflicting.isEmpty(), conflicting.size() + " recipients have two different endings, e.g. "
                    + conflicting.stream().limit(5).toList());
            assertEquals(PARKED, byKind.getOrDefault(PARKED_SITE + " Expired", 0),
                    "the suspended site's sends expire while parked: " + byKind);
            assertEquals(BOUNCES, byKind.getOrDefault(NULL_MX + " Bounced", 0), "null MX bounces: " + byKind);
            for (String site : SITES) {
                assertEquals(PER_SITE, byKind.getOrDefault(site + " Delivered", 0), site + ": " + byKind);
            }
            for (ReceivedMessage m : mx.messages()) {
                assertTrue(m.recipients().stream().noneMatch(r -> r.endsWith("@" + PARKED_SITE)),
                        "mail reached the suspended site: " + m.recipients());
            }
            // Replay restarts at the committed offsets near the kill, never at the start of the backlog.
            assertTrue(duplicates <= 600, "replay went far behind the kill: " + duplicates + " duplicates");
        }
    }

    private Map<String, String> environment(EmbeddedKafka kafka, EmbeddedPg pg, TestDnsServer dns,
            TestSmtpServer mx) throws Exception {
        Path key = dir.resolve("dkim.pem");
        Files.writeString(key, DkimKeys.toPkcs8Pem(DkimKeys.generateRsa2048().getPrivate()));
        // Shaping keys cannot be environment variables; an extra properties file can. 100/s per site
        // keeps the 1,500-send backlog busy for several seconds, so the kill lands in the middle.
        Path shaping = Files.writeString(dir.resolve("shaping.properties"), String.join("\n",
                "postwire.shaping.defaults.message-rate=100/s",
                "postwire.shaping.defaults.connection-rate=20/s",
                "postwire.shaping.defaults.max-connections=4", ""));
        Map<String, String> env = new HashMap<>(PostwireProcess.wiring(kafka, pg));
        env.putAll(Map.ofEntries(
                Map.entry("QUARKUS_CONFIG_LOCATIONS", shaping.toUri().toString()),
                Map.entry("POSTWIRE_API_KEYS", API_KEY),
                Map.entry("POSTWIRE_DNS_SERVERS", dns.hostPort()),
                Map.entry("POSTWIRE_MX_PORT", Integer.toString(mx.port())),
                Map.entry("POSTWIRE_MX_TLS", "off"),
                Map.entry("POSTWIRE_DKIM_DOMAIN", "example.test"),
                Map.entry("POSTWIRE_DKIM_SELECTOR", "restart"),
                Map.entry("POSTWIRE_DKIM_KEY_FILE", key.toString()),
                Map.entry("POSTWIRE_DISPATCH_MAX_IN_FLIGHT", "200"),
                Map.entry("POSTWIRE_PROJECTION_ENABLED", "false")));
        return env;
    }

    /** Suspends a site through the API and waits until the dispatcher holds it suspended. */
    private void suspend(int port, String site) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(api(port, "/api/v1/sites/" + site + "/suspend"))
                .header("Authorization", "Bearer " + API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"duration\":\"1h\",\"reason\":\"restart test\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        awaitSuspended(port, site, Duration.ofSeconds(30));
    }

    /** Waits until the dispatcher holds the site suspended by the operator (the API's view). */
    private void awaitSuspended(int port, String site, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode sites = json.readTree(get(port, "/api/v1/sites")).path("sites");
            for (JsonNode s : sites) {
                if (site.equals(s.path("site").asText()) && "suspended".equals(s.path("state").asText())
                        && "operator: restart test".equals(s.path("reason").asText())) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError(site + " was not suspended: " + get(port, "/api/v1/sites"));
    }

    /** Writes the sends, each keyed by its site as ingest would; returns recipientId → site. */
    private static Map<String, String> produce(String bootstrap) {
        Map<String, String> siteOf = new LinkedHashMap<>();
        EventCodec codec = new EventCodec();
        try (KafkaProducer<String, byte[]> p = TestKafkaClients.producer(bootstrap)) {
            Instant expires = Instant.now().plus(PARKED_LIFETIME);
            // the parked ones first: they are all parked long before the kill
            for (int i = 0; i < PARKED; i++) {
                send(p, codec, siteOf, PARKED_SITE, PARKED_SITE, i, expires);
            }
            for (int i = 0; i < BOUNCES; i++) {
                send(p, codec, siteOf, NULL_MX, NULL_MX, i, null);
            }
            for (int i = 0; i < PER_SITE; i++) {
                for (String site : SITES) {
                    send(p, codec, siteOf, site, i % 2 == 0 ? site : "b." + site, i, null);
                }
            }
            p.flush();
        }
        return siteOf;
    }

    private static void send(KafkaProducer<String, byte[]> p, EventCodec codec, Map<String, String> siteOf,
            String site, String domain, int i, Instant expiresAt) {
        String id = UUID.randomUUID().toString();
        String to = "user" + i + "@" + domain;
        SendRequested s = new SendRequested(id, id + ".1", "app@example.test", to, null, List.of(to), null,
                "restart " + i, "body " + "x".repeat(2000), null, null, Map.of(), List.of(), null, Instant.now(),
                expiresAt);
        p.send(new ProducerRecord<>(Topics.SEND, site, codec.write(EventEnvelope.of("restart-test", Instant.now(), s))));
        siteOf.put(s.recipientId(), site);
    }

    /** Every terminal event per recipientId (in order), until each wanted recipient has one. */
    private static Map<String, List<String>> awaitEndings(String bootstrap, Set<String> wanted, Duration timeout)
            throws InterruptedException {
        EventCodec codec = new EventCodec();
        Map<String, List<String>> endings = new HashMap<>();
        try (KafkaConsumer<String, byte[]> c = TestKafkaClients.readFromStart(bootstrap, Topics.EVENTS)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!endings.keySet().containsAll(wanted) && System.nanoTime() < deadline) {
                readEndings(c, codec, endings);
            }
            // a little longer: a second, different ending would come soon after the first
            long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < settle) {
                readEndings(c, codec, endings);
            }
        }
        return endings;
    }

    private static void readEndings(KafkaConsumer<String, byte[]> c, EventCodec codec,
            Map<String, List<String>> endings) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
            PostwireEvent e = codec.read(r.value()).data();
            if (TERMINAL.contains(e.getClass())) {
                endings.computeIfAbsent(e.recipientId(), k -> new ArrayList<>()).add(e.getClass().getSimpleName());
            }
        }
    }

    private void awaitMetricAtLeast(int port, String metric, long n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        double value = 0;
        while (System.nanoTime() < deadline) {
            value = get(port, "/q/metrics").lines().filter(l -> l.startsWith(metric))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            if (value >= n) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(metric + " reached only " + value + " of " + n);
    }


    private String get(int port, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(api(port, path))
                .header("Authorization", "Bearer " + API_KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body();
    }

    private static URI api(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
