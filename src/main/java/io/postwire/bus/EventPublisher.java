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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
    /**
     * {@code KafkaProducer.send} blocks (up to max.block.ms) while it waits for metadata, e.g. when the
     * broker is gone: never on an event loop, where it would stall every connection and send of that
     * loop. One thread keeps the callers' order and costs a queue hand-off per record.
     */
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "postwire-producer-send");
        t.setDaemon(true);
        return t;
    });

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
        return Uni.createFrom().<RecordMetadata>emitter(emitter -> sender.execute(() -> {
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
                if (context != null) {
                    context.runOnContext(v -> emitter.fail(e));
                } else {
                    emitter.fail(e);
                }
            }
        }));
    }

    void close(@Observes ShutdownEvent event) {
        sender.shutdown();
        try {
            sender.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }
}
