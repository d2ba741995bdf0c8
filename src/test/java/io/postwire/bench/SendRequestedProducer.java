package io.postwire.bench;

import io.postwire.bus.SendKeys;
import io.postwire.bus.Topics;
import io.postwire.event.EventCodec;
import io.postwire.event.EventEnvelope;
import io.postwire.event.SendRequested;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The bench's load: {@code SendRequested} records on {@code postwire.send.v1}, as fast as the
 * producer goes or paced at an offered rate.
 *
 * <p>Recipients cycle over the domains so that the app's send keys (one per site) and
 * thus its partitions see the spread a real sender would give.
 */
final class SendRequestedProducer implements AutoCloseable {

    private static final String SENDER = "bench@" + BenchDkimKey.DOMAIN;

    private final KafkaProducer<String, byte[]> producer;
    private final EventCodec codec;
    private final int bodyBytes;
    private final IntFunction<String> domainOf;
    private final Function<SendRequested, String> keyOf;

    SendRequestedProducer(String bootstrapServers, EventCodec codec, int bodyBytes, int domains) {
        this(bootstrapServers, codec, bodyBytes, i -> "d" + (i % domains) + ".bench.test", SendKeys::siteKey);
    }

    /**
     * A producer whose i-th record goes to a recipient at {@code domainOf.apply(i)}, keyed by
     * {@code keyOf}: direct to MX, the site the dispatcher will name (as ingest keys it), so that no
     * record is moved to another key on the way.
     */
    SendRequestedProducer(String bootstrapServers, EventCodec codec, int bodyBytes, IntFunction<String> domainOf,
            Function<SendRequested, String> keyOf) {
        this.codec = codec;
        this.bodyBytes = bodyBytes;
        this.domainOf = domainOf;
        this.keyOf = keyOf;
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // the same durability the app's own API producer asks for
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        c.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        c.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-producer");
        this.producer = new KafkaProducer<>(c);
    }

    /** Writes {@code count} SendRequested records, requestedAt = the moment each is handed to the producer. */
    void produce(String prefix, int count, Runnable beforeFirst) {
        produce(prefix, count, beforeFirst, 0);
    }

    /**
     * Writes {@code count} SendRequested records with message ids {@code prefix + i}.
     *
     * @param beforeFirst runs before the first record, so that the event tap is listening before
     *     any outcome can exist
     * @param perSecond offered rate; 0 = unpaced. Pacing is against a fixed schedule from the
     *     start, so a late record is not followed by a pause (no coordinated omission)
     */
    void produce(String prefix, int count, Runnable beforeFirst, double perSecond) {
        beforeFirst.run();
        long start = System.nanoTime();
        String body = body(bodyBytes);
        AtomicReference<Exception> failure = new AtomicReference<>();
        for (int i = 0; i < count; i++) {
            if (perSecond > 0) {
                long due = start + (long) (i * 1e9 / perSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            String messageId = prefix + i;
            String recipient = "user" + i + "@" + domainOf.apply(i);
            SendRequested s = new SendRequested(messageId, messageId + ".0", SENDER, recipient, "Bench",
                    List.of(recipient), List.of(), "Benchmark message " + i, body, null, null, Map.of(), List.of(),
                    null, Instant.now(), null);
            EventEnvelope env = EventEnvelope.of("postwire/bench", Instant.now(), s);
            producer.send(new ProducerRecord<>(Topics.SEND, keyOf.apply(s), codec.write(env)), (md, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
            });
            if (failure.get() != null) {
                throw new IllegalStateException("produce failed", failure.get());
            }
        }
        producer.flush();
        if (failure.get() != null) {
            throw new IllegalStateException("produce failed", failure.get());
        }
    }

    void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }

    /** Plain ASCII text lines of 72 characters plus CRLF-free newlines, {@code bytes} long. */
    static String body(int bytes) {
        String line = "The quick brown fox jumps over the lazy dog; Postwire benchmark body..\n";
        StringBuilder sb = new StringBuilder(bytes);
        while (sb.length() + line.length() <= bytes) {
            sb.append(line);
        }
        while (sb.length() < bytes - 1) {
            sb.append('x');
        }
        if (sb.length() < bytes) {
            sb.append('\n');
        }
        return sb.toString();
    }
}
