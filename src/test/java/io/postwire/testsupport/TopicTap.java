package io.postwire.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic from the start with a throw-away group and waits for a matching record. */
public final class TopicTap implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    public TopicTap(String bootstrap, String topic) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "tap-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        consumer.subscribe(List.of(topic));
    }

    public ConsumerRecord<String, byte[]> await(Predicate<ConsumerRecord<String, byte[]>> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ConsumerRecord<String, byte[]> r : seen) {
            if (match.test(r)) {
                return r;
            }
        }
        while (System.nanoTime() < deadline) {
            // Keep the whole batch: a later await may be looking for a record after this match.
            int from = seen.size();
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
            for (int i = from; i < seen.size(); i++) {
                if (match.test(seen.get(i))) {
                    return seen.get(i);
                }
            }
        }
        StringBuilder recent = new StringBuilder();
        seen.stream().skip(Math.max(0, seen.size() - 10)).forEach(r -> recent.append("\n  ")
                .append(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8), 0,
                        Math.min(r.value().length, 400)));
        throw new AssertionError("no matching record within " + timeout + " (saw " + seen.size() + "), last:" + recent);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
