package io.postwire.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.testsupport.EmbeddedKafka;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher's durability rests on this loop: with many records in flight and completing
 * out of order, an offset is committed only when every record before it is done, so a crash
 * replays unfinished records and loses none. Real broker, real consumer groups.
 */
class ConsumerLoopTest {

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static String topicWith(int records) throws Exception {
        String topic = "loop-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        }
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            for (int i = 0; i < records; i++) {
                p.send(new ProducerRecord<>(topic, "k" + (i % 7), Integer.toString(i).getBytes()));
            }
            p.flush();
        }
        return topic;
    }

    private static KafkaConsumer<String, byte[]> consumer(String group) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new KafkaConsumer<>(c);
    }

    @Test
    void aStopMidwayLosesNothingAndCommitsOnlyFinishedPrefixes() throws Exception {
        int n = 400;
        String topic = topicWith(n);
        String group = "g-" + UUID.randomUUID();
        Set<String> handled = ConcurrentHashMap.newKeySet();
        AtomicInteger started = new AtomicInteger();
        Map<Integer, Long> firstStuck = new ConcurrentHashMap<>();
        // First life: records finish out of order, and every 10th never finishes (a "crash" in flight).
        ConsumerLoop first = new ConsumerLoop("first", consumer(group), List.of(topic), 50, Runnable::run, r -> {
            started.incrementAndGet();
            int i = Integer.parseInt(new String(r.value()));
            if (i % 10 == 3) {
                firstStuck.merge(r.partition(), r.offset(), Math::min);
                return Uni.createFrom().nothing();
            }
            return Uni.createFrom().voidItem()
                    .onItem().delayIt().by(Duration.ofMillis(ThreadLocalRandom.current().nextInt(1, 30)))
                    .invoke(() -> handled.add(new String(r.value())));
        }).drainTimeout(Duration.ofSeconds(1)).start();
        long deadline = System.currentTimeMillis() + 20_000;
        while (started.get() < 60 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        first.close();
        assertTrue(handled.size() < n, "the first life must stop before finishing");
        assertTrue(!firstStuck.isEmpty(), "the first life must have left records unfinished");

        // What was committed never passes an unfinished record.
        try (KafkaConsumer<String, byte[]> probe = consumer(group)) {
            for (int p = 0; p < 2; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                OffsetAndMetadata committed = probe.committed(Set.of(tp)).get(tp);
                Long stuck = firstStuck.get(p);
                if (committed != null && stuck != null) {
                    assertTrue(committed.offset() <= stuck, "committed " + committed.offset()
                            + " past the unfinished record at " + stuck + " in partition " + p);
                }
            }
        }

        // Second life: everything not committed is replayed; together both lives cover every record.
        Set<String> replayed = ConcurrentHashMap.newKeySet();
        ConsumerLoop second = new ConsumerLoop("second", consumer(group), List.of(topic), 50, Runnable::run, r -> {
            replayed.add(new String(r.value()));
            return Uni.createFrom().voidItem();
        }).start();
        deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            Set<String> all = new java.util.HashSet<>(handled);
            all.addAll(replayed);
            if (all.size() == n) {
                break;
            }
            Thread.sleep(50);
        }
        second.close();
        Set<String> all = new java.util.HashSet<>(handled);
        all.addAll(replayed);
        assertEquals(n, all.size(), "a record was lost");
        for (int i = 3; i < n; i += 10) {
            assertTrue(replayed.contains(Integer.toString(i)), "unfinished record " + i + " was not replayed");
        }
    }

    @Test
    void aFailingHandlerIsRetriedUntilItSucceeds() throws Exception {
        String topic = topicWith(5);
        Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        Set<String> done = ConcurrentHashMap.newKeySet();
        ConsumerLoop loop = new ConsumerLoop("retrying", consumer("g-" + UUID.randomUUID()), List.of(topic), 10,
                Runnable::run, r -> {
                    String v = new String(r.value());
                    int a = attempts.computeIfAbsent(v, k -> new AtomicInteger()).incrementAndGet();
                    if (v.equals("2") && a < 3) {
                        return Uni.createFrom().failure(new IllegalStateException("Kafka away"));
                    }
                    done.add(v);
                    return Uni.createFrom().voidItem();
                }).start();
        long deadline = System.currentTimeMillis() + 20_000;
        while (done.size() < 5 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        loop.close();
        assertEquals(5, done.size());
        assertEquals(3, attempts.get("2").get());
    }
}
