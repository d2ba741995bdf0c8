package io.postwire.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks that {@link EmbeddedKafka} is a usable broker, not just a running process. */
class EmbeddedKafkaTest {

    private static final int PARTITIONS = 3;

    @Test
    void producesAndConsumesAcrossThreePartitions() throws Exception {
        try (EmbeddedKafka kafka = timedStart("first")) {
            createTopic(kafka, "deliveries", PARTITIONS);

            List<String> sent = new ArrayList<>();
            try (KafkaProducer<String, String> producer = producer(kafka)) {
                for (int i = 0; i < 9; i++) {
                    String value = "message-" + i;
                    // Explicit partitions, so every partition is proven writable.
                    producer.send(new ProducerRecord<>("deliveries", i % PARTITIONS, "key-" + i, value))
                            .get(10, TimeUnit.SECONDS);
                    sent.add(value);
                }
            }

            List<ConsumerRecord<String, String>> received = consume(kafka, "deliveries", sent.size());
            Set<String> values = new HashSet<>();
            Set<Integer> partitions = new HashSet<>();
            for (ConsumerRecord<String, String> record : received) {
                values.add(record.value());
                partitions.add(record.partition());
            }
            assertEquals(new HashSet<>(sent), values);
            assertEquals(Set.of(0, 1, 2), partitions);
        }
    }

    @Test
    void twoNodesInOneJvmAreIndependent() throws Exception {
        try (EmbeddedKafka first = timedStart("first of two");
             EmbeddedKafka second = timedStart("second of two")) {
            assertNotEquals(first.bootstrapServers(), second.bootstrapServers());
            createTopic(first, "only-on-first", 1);

            try (Admin admin = admin(second)) {
                assertFalse(admin.listTopics().names().get(10, TimeUnit.SECONDS).contains("only-on-first"));
            }
        }
    }

    @Test
    void doesNotCreateTopicsOnDemand() throws Exception {
        try (EmbeddedKafka kafka = timedStart("auto-create check");
             Admin admin = admin(kafka);
             KafkaProducer<String, String> producer = producer(kafka, ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000)) {
            // A producer's metadata request is what would create a topic on demand.
            assertThrows(Exception.class,
                    () -> producer.send(new ProducerRecord<>("never-created", "value")).get(10, TimeUnit.SECONDS));
            assertFalse(admin.listTopics().names().get(10, TimeUnit.SECONDS).contains("never-created"));
        }
    }

    @Test
    void fixedBrokerPortInUseFailsTheStartInsteadOfTheJvm() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // A fixed port is the caller's choice, so it is reported, not swapped for another.
            RuntimeException failure = assertThrows(RuntimeException.class,
                    () -> EmbeddedKafka.start(null, squatter.getLocalPort()).close());
            System.out.println("EmbeddedKafka on a taken port failed with: " + failure);
        }
    }

    @Test
    void deletesOnlyTheDataDirectoryItCreated(@TempDir Path given) throws Exception {
        Path created;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            created = kafka.dataDir();
            assertTrue(Files.isDirectory(created));
        }
        assertFalse(Files.exists(created), "temporary data directory left behind: " + created);

        Path dataDir = given.resolve("kafka");
        try (EmbeddedKafka kafka = timedStart("fresh given directory", dataDir)) {
            createTopic(kafka, "kept", 2);
        }
        assertTrue(Files.exists(dataDir.resolve("meta.properties")));

        // A launcher restarts on the same directory and must find its topics again.
        try (EmbeddedKafka kafka = timedStart("reused directory", dataDir);
             Admin admin = admin(kafka)) {
            int partitions = admin.describeTopics(List.of("kept")).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get("kept").partitions().size();
            assertEquals(2, partitions);
        }
    }

    private static EmbeddedKafka timedStart(String label) {
        return timedStart(label, null);
    }

    private static EmbeddedKafka timedStart(String label, Path dataDir) {
        long started = System.nanoTime();
        EmbeddedKafka kafka = EmbeddedKafka.start(dataDir);
        System.out.printf("EmbeddedKafka (%s) ready at %s in %d ms%n",
                label, kafka.bootstrapServers(), Duration.ofNanos(System.nanoTime() - started).toMillis());
        return kafka;
    }

    private static void createTopic(EmbeddedKafka kafka, String name, int partitions) throws Exception {
        try (Admin admin = admin(kafka)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(10, TimeUnit.SECONDS);
        }
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka) {
        return producer(kafka, ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    }

    /** A producer as the platform configures it: acknowledged by all in-sync replicas, idempotent. */
    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka, String extraKey, Object extraValue) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                extraKey, extraValue),
                new StringSerializer(), new StringSerializer());
    }

    /** Reads through a consumer group, so the group coordinator and offsets topic are exercised too. */
    private static List<ConsumerRecord<String, String>> consume(EmbeddedKafka kafka, String topic, int expected) {
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "embedded-kafka-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (received.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
            consumer.commitSync();
        }
        assertEquals(expected, received.size(), "records consumed");
        return received;
    }
}
