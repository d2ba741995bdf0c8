package io.postwire.bench;

import io.postwire.bus.Topics;
import io.postwire.event.Deferred;
import io.postwire.event.Delivered;
import io.postwire.event.EventCodec;
import io.postwire.event.EventEnvelope;
import io.postwire.event.PostwireEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@code postwire.events.v1} and remembers the outcome of every bench message: the latency
 * of each {@code Delivered} (requestedAt to event time) and a count of every other outcome.
 *
 * <p>The sink's count says how many messages arrived; this says which ones, and how long each
 * took end to end, as the app itself reports it.
 */
final class EventTap implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final EventCodec codec;
    private final Map<String, Long> deliveredLatency = new ConcurrentHashMap<>();
    private final Map<String, String> others = new ConcurrentHashMap<>();
    /** Up to a few distinct reasons of Deferred events, to say why without a second run. */
    private final Map<String, Long> deferReasons = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean armed;

    EventTap(String bootstrap, EventCodec codec) {
        this.codec = codec;
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        consumer = new KafkaConsumer<>(c);
        List<TopicPartition> parts = consumer.partitionsFor(Topics.EVENTS, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts); // topics are new: the beginning is the start of this run
        parts.forEach(consumer::position);
        thread = new Thread(this::loop, "bench-event-tap");
        thread.setDaemon(true);
    }

    /** Starts reading; idempotent, so each produce can call it before its first record. */
    void arm() {
        if (!armed) {
            armed = true;
            thread.start();
        }
    }

    private void loop() {
        while (!stop.get()) {
            try {
                for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
                    EventEnvelope env = codec.read(rec.value());
                    PostwireEvent e = env.data();
                    if (e instanceof Delivered d) {
                        deliveredLatency.put(d.messageId(), Duration.between(d.requestedAt(), env.time()).toMillis());
                    } else {
                        if (e instanceof Deferred d) {
                            String why = (d.reply() != null ? d.reply().toString() : String.valueOf(d.failure()))
                                    + " @" + d.remoteHost();
                            if (deferReasons.size() < 10 || deferReasons.containsKey(why)) {
                                deferReasons.merge(why, 1L, Long::sum);
                            }
                        }
                        others.put(e.messageId() + "#" + env.type().typeName(), "");
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                System.err.println("event tap: " + e);
            }
        }
    }

    boolean awaitDelivered(String prefix, int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < 1_000_000 && System.nanoTime() < deadline; i++) {
            if (delivered(prefix) >= n) {
                return true;
            }
            Thread.sleep(100);
        }
        return delivered(prefix) >= n;
    }

    long delivered(String prefix) {
        return deliveredLatency.keySet().stream().filter(k -> k.startsWith(prefix)).count();
    }

    /** Delivered latencies of this prefix's messages, in no particular order; a fresh mutable list. */
    List<Long> latenciesMillis(String prefix) {
        return deliveredLatency.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .map(Map.Entry::getValue).collect(Collectors.toCollection(ArrayList::new));
    }

    /** Counts of non-Delivered outcome events per type for this prefix. */
    Map<String, Long> others(String prefix) {
        Map<String, Long> counts = new TreeMap<>();
        for (String k : others.keySet()) {
            if (k.startsWith(prefix)) {
                String type = k.substring(k.lastIndexOf('#') + 1);
                counts.merge(type, 1L, Long::sum);
            }
        }
        return counts;
    }

    /** Why sends were deferred (the first ten distinct reasons), with counts, over all prefixes. */
    Map<String, Long> deferReasons() {
        return new TreeMap<>(deferReasons);
    }

    @Override
    public void close() {
        stop.set(true);
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // KafkaConsumer is single-threaded: closing it under a still-polling loop would throw
        if (!thread.isAlive()) {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
