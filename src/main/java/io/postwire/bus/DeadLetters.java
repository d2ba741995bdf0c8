package io.postwire.bus;

import io.micrometer.core.instrument.MeterRegistry;
import io.postwire.event.EventCodec;
import io.postwire.event.EventEnvelope;
import io.postwire.event.MalformedEventException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.jboss.logging.Logger;

/**
 * Moves a record nobody can read to {@link Topics#DLQ}, unchanged, with the reason and its origin
 * in headers, so the consumer can go on and an operator can inspect or replay it later.
 */
@ApplicationScoped
public class DeadLetters {

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    /** Reasons can quote input; keep the header bounded. */
    private static final int MAX_REASON = 1000;

    private final EventPublisher publisher;
    private final EventCodec codec;
    private final MeterRegistry registry;

    DeadLetters(EventPublisher publisher, EventCodec codec, MeterRegistry registry) {
        this.publisher = publisher;
        this.codec = codec;
        this.registry = registry;
    }

    /**
     * Wraps an envelope handler into a record handler: records that do not decode, and records
     * the handler refuses by throwing {@link MalformedEventException} (e.g. a type that does not
     * belong on the topic), are dead-lettered instead of handled.
     */
    public Function<ConsumerRecord<String, byte[]>, Uni<Void>> reading(String consumer,
            BiFunction<ConsumerRecord<String, byte[]>, EventEnvelope, Uni<Void>> handler) {
        return record -> {
            try {
                return handler.apply(record, codec.read(record.value()));
            } catch (MalformedEventException e) {
                return send(consumer, record, e.getMessage());
            }
        };
    }

    public Uni<Void> send(String consumer, ConsumerRecord<String, byte[]> record, String reason) {
        String bounded = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
        LOG.warnf("dead-lettering %s-%d@%d for %s: %s", record.topic(), record.partition(), record.offset(),
                consumer, bounded);
        registry.counter("postwire.dead.letters", "topic", record.topic(), "consumer", consumer).increment();
        List<Header> headers = new java.util.ArrayList<>();
        record.headers().forEach(headers::add);
        headers.add(header(Topics.H_REASON, bounded));
        headers.add(header(Topics.H_ORIGIN_TOPIC, record.topic()));
        headers.add(header(Topics.H_ORIGIN_PARTITION, Integer.toString(record.partition())));
        headers.add(header(Topics.H_ORIGIN_OFFSET, Long.toString(record.offset())));
        headers.add(header(Topics.H_CONSUMER, consumer));
        return publisher.publishRaw(Topics.DLQ, record.key(), record.value(), headers).replaceWithVoid();
    }

    /**
     * Dead-letters input that did not come from a topic, e.g. a mail to the inbound SMTP door that is
     * neither a bounce nor a complaint: the bytes are kept whole, with the reason and where they came
     * from, so an operator can look at them and nothing is silently dropped.
     */
    public Uni<Void> sendInput(String origin, String key, byte[] value, String reason, Map<String, String> context) {
        String bounded = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
        LOG.warnf("dead-lettering input from %s: %s", origin, bounded);
        registry.counter("postwire.dead.letters", "topic", origin, "consumer", origin).increment();
        List<Header> headers = new java.util.ArrayList<>();
        headers.add(header(Topics.H_REASON, bounded));
        headers.add(header(Topics.H_CONSUMER, origin));
        context.forEach((name, v) -> headers.add(header(name, v.length() > MAX_REASON ? v.substring(0, MAX_REASON) : v)));
        return publisher.publishRaw(Topics.DLQ, key, value, headers).replaceWithVoid();
    }

    private static Header header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
