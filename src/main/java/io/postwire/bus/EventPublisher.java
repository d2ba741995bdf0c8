package io.postwire.bus;

import io.postwire.event.EventCodec;
import io.postwire.event.EventEnvelope;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;

/**
 * Writes records to Kafka and completes only when the broker has acknowledged them (acks=all).
 * Everything that promises durability (HTTP 202, offset commits) waits on these Unis.
 *
 * <p>Completion hops back to the caller's Vert.x context: the producer's I/O thread must never
 * run our continuations.
 */
@ApplicationScoped
public class EventPublisher {

    private final KafkaProducer<String, byte[]> producer;
    private final EventCodec codec;

    EventPublisher(KafkaClients clients, EventCodec codec) {
        this.producer = new KafkaProducer<>(clients.producerConfig());
        this.codec = codec;
    }

    public Uni<RecordMetadata> publish(String topic, String key, EventEnvelope envelope) {
        return send(new ProducerRecord<>(topic, key, codec.write(envelope)));
    }

    public Uni<RecordMetadata> publishRaw(String topic, String key, byte[] value, List<Header> headers) {
        return send(new ProducerRecord<>(topic, null, key, value, headers));
    }

    private Uni<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        Context context = Vertx.currentContext();
        return Uni.createFrom().emitter(emitter -> {
            try {
                producer.send(record, (metadata, error) -> {
                    Runnable complete = () -> {
                        if (error != null) {
                            emitter.fail(error);
                        } else {
                            emitter.complete(metadata);
                        }
                    };
                    if (context != null) {
                        context.runOnContext(v -> complete.run());
                    } else {
                        complete.run();
                    }
                });
            } catch (RuntimeException e) {
                // send() throws synchronously when metadata is unavailable past max.block.ms.
                emitter.fail(e);
            }
        });
    }

    void close(@Observes ShutdownEvent event) {
        producer.close(Duration.ofSeconds(10));
    }
}
