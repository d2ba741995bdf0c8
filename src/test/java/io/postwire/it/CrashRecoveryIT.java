package io.postwire.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.bus.SendKeys;
import io.postwire.bus.Topics;
import io.postwire.dkim.DkimKeys;
import io.postwire.event.Delivered;
import io.postwire.event.EventCodec;
import io.postwire.event.EventEnvelope;
import io.postwire.event.SendRequested;
import io.postwire.testsupport.EmbeddedKafka;
import io.postwire.testsupport.EmbeddedPg;
import io.postwire.testsupport.LoopbackPorts;
import io.postwire.testsupport.PostwireProcess;
import io.postwire.testsupport.ReceivedMessage;
import io.postwire.testsupport.TestKafkaClients;
import io.postwire.testsupport.TestSmtpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "A crash never loses a send": the packaged application is killed with SIGKILL while it is
 * delivering a backlog, then started again. Every send must reach the relay and get its
 * Delivered event; the only permitted damage is duplicates (at-least-once) from the sends that
 * were in flight at the kill.
 */
class CrashRecoveryIT {

    private static final int SENDS = 1500;
    private static final int MAX_IN_FLIGHT = 200;

    @TempDir
    Path dir;

    @Test
    void aKilledDispatcherLosesNoSend() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); EmbeddedPg pg = EmbeddedPg.start();
                TestSmtpServer relay = TestSmtpServer.start()) {
            Path key = dir.resolve("dkim.pem");
            Files.writeString(key, DkimKeys.toPkcs8Pem(DkimKeys.generateRsa2048().getPrivate()));
            Map<String, String> env = new HashMap<>(PostwireProcess.wiring(kafka, pg));
            env.putAll(Map.ofEntries(
                    Map.entry("POSTWIRE_API_KEYS", "crash-test"),
                    Map.entry("POSTWIRE_RELAY_HOST", "127.0.0.1"),
                    Map.entry("POSTWIRE_RELAY_PORT", Integer.toString(relay.port())),
                    Map.entry("POSTWIRE_RELAY_TLS", "off"),
                    Map.entry("POSTWIRE_DKIM_DOMAIN", "example.test"),
                    Map.entry("POSTWIRE_DKIM_SELECTOR", "crash"),
                    Map.entry("POSTWIRE_DKIM_KEY_FILE", key.toString()),
                    Map.entry("POSTWIRE_DISPATCH_MAX_IN_FLIGHT", Integer.toString(MAX_IN_FLIGHT)),
                    Map.entry("POSTWIRE_PROJECTION_ENABLED", "false")));
            int port = LoopbackPorts.free();
            Path log = dir.resolve("app.log");

            PostwireProcess first = PostwireProcess.start(env, port, log, Duration.ofSeconds(120));
            Set<String> recipientIds = produce(kafka.bootstrapServers());
            relay.awaitMessages(SENDS / 4, Duration.ofSeconds(120));
            first.kill();
            int beforeKill = relay.messages().size();
            assertTrue(beforeKill < SENDS, "the kill must come before the backlog is done (" + beforeKill + ")");

            try (PostwireProcess second = PostwireProcess.start(env, port, log, Duration.ofSeconds(120))) {
                Set<String> missing = new HashSet<>(recipientIds);
                missing.removeAll(awaitDelivered(kafka.bootstrapServers(), recipientIds, Duration.ofSeconds(180)));
                assertTrue(missing.isEmpty(), missing.size() + " sends have no Delivered event after the restart, e.g. "
                        + missing.stream().limit(3).toList());
            }
            Set<String> reached = new HashSet<>();
            for (ReceivedMessage m : relay.messages()) {
                reached.addAll(m.recipients());
            }
            assertEquals(SENDS, reached.size(), "recipients the relay never got");
            int duplicates = relay.messages().size() - SENDS;
            System.out.printf("crash test: %d sends, %d delivered before the kill, %d duplicates after it%n",
                    SENDS, beforeKill, duplicates);
            // Replay starts at the committed offsets, near the kill: at most the sends in flight plus
            // those finished since the last commit (200 ms), never the whole backlog again.
            assertTrue(duplicates <= MAX_IN_FLIGHT * 3, "replay went far behind the kill: " + duplicates);
        }
    }

    private static Set<String> produce(String bootstrap) throws Exception {
        Set<String> ids = new HashSet<>();
        EventCodec codec = new EventCodec();
        try (KafkaProducer<String, byte[]> p = TestKafkaClients.producer(bootstrap)) {
            for (int i = 0; i < SENDS; i++) {
                String id = UUID.randomUUID().toString();
                String to = "user" + i + "@d" + (i % 20) + ".test";
                SendRequested s = new SendRequested(id, id + ".1", "app@example.test", to, null, List.of(to), null,
                        "crash " + i, "body " + "x".repeat(2000), null, null, Map.of(), List.of(), null, Instant.now(),
                        null);
                p.send(new ProducerRecord<>(Topics.SEND, SendKeys.siteKey(s),
                        codec.write(EventEnvelope.of("crash-test", Instant.now(), s))));
                ids.add(s.recipientId());
            }
            p.flush();
        }
        return ids;
    }


    private static Set<String> awaitDelivered(String bootstrap, Set<String> wanted, Duration timeout) {
        EventCodec codec = new EventCodec();
        Set<String> delivered = new HashSet<>();
        try (KafkaConsumer<String, byte[]> c = TestKafkaClients.readFromStart(bootstrap, Topics.EVENTS)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!delivered.containsAll(wanted) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (codec.read(r.value()).data() instanceof Delivered d) {
                        delivered.add(d.recipientId());
                    }
                }
            }
        }
        delivered.retainAll(wanted);
        return delivered;
    }
}
