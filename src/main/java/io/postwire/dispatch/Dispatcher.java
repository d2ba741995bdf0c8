package io.postwire.dispatch;

import io.postwire.bus.ConsumerLoop;
import io.postwire.bus.DeadLetters;
import io.postwire.bus.KafkaClients;
import io.postwire.bus.Topics;
import io.postwire.event.EventEnvelope;
import io.postwire.event.MalformedEventException;
import io.postwire.event.RetryScheduled;
import io.postwire.event.SendRequested;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Consumes the send topic and hands each send to a {@link DeliveryAttempt}. The record's offset is
 * committed (by {@link ConsumerLoop}) only once the attempt's outcome events are on Kafka.
 */
@ApplicationScoped
public class Dispatcher {

    static final String NAME = "dispatcher";

    private final KafkaClients clients;
    private final DeadLetters deadLetters;
    private final DeliveryAttempt attempt;
    private final DispatchConfig config;
    private final Vertx vertx;
    private ConsumerLoop loop;

    Dispatcher(KafkaClients clients, DeadLetters deadLetters, DeliveryAttempt attempt, DispatchConfig config,
            Vertx vertx) {
        this.clients = clients;
        this.deadLetters = deadLetters;
        this.attempt = attempt;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes @Priority(100) StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        // Fail the start, not the first send, on a bad relay or DKIM configuration.
        attempt.checkConfiguration();
        loop = new ConsumerLoop(NAME, clients.consumer("dispatch", 500), List.of(Topics.SEND), config.maxInFlight(),
                VertxExecutors.perRecordContext(vertx), deadLetters.reading(NAME, this::handle)).start();
    }

    void stop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.close();
        }
    }

    Uni<Void> handle(ConsumerRecord<String, byte[]> record, EventEnvelope envelope) {
        if (envelope.data() instanceof SendRequested s) {
            return attempt.run(s, 1);
        }
        if (envelope.data() instanceof RetryScheduled r) {
            return attempt.run(r.request(), r.attempt());
        }
        throw new MalformedEventException("unexpected event type on the send topic: " + envelope.type().typeName());
    }
}
