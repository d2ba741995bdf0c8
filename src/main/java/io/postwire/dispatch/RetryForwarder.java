package io.postwire.dispatch;

import io.postwire.bus.ConsumerLoop;
import io.postwire.bus.DeadLetters;
import io.postwire.bus.EventPublisher;
import io.postwire.bus.KafkaClients;
import io.postwire.bus.Topics;
import io.postwire.event.EventEnvelope;
import io.postwire.event.MalformedEventException;
import io.postwire.event.RetryScheduled;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Brings deferred sends back: reads {@link RetryScheduled} from the retry topic, waits until
 * its time, and writes it to the send topic. The wait holds only an uncommitted offset, so a
 * restart re-reads the record from Kafka: nothing waits only in memory.
 *
 * <p>Waiting records count against the in-flight limit; a deep backlog of long waits can delay
 * shorter ones behind it. Delay-tier topics are the planned fix (see docs/architecture.md).
 */
@ApplicationScoped
public class RetryForwarder {

    static final String NAME = "retry-forwarder";
    private static final int MAX_WAITING = 10_000;

    private final KafkaClients clients;
    private final EventPublisher publisher;
    private final DeadLetters deadLetters;
    private final DispatchConfig config;
    private final Vertx vertx;
    private ConsumerLoop loop;

    RetryForwarder(KafkaClients clients, EventPublisher publisher, DeadLetters deadLetters, DispatchConfig config,
            Vertx vertx) {
        this.clients = clients;
        this.publisher = publisher;
        this.deadLetters = deadLetters;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes @Priority(100) StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        loop = new ConsumerLoop(NAME, clients.consumer("retry", 500), List.of(Topics.RETRY), MAX_WAITING,
                VertxExecutors.perRecordContext(vertx), deadLetters.reading(NAME, this::handle))
                .drainTimeout(Duration.ofSeconds(2)).start();
    }

    void stop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.close();
        }
    }

    Uni<Void> handle(ConsumerRecord<String, byte[]> record, EventEnvelope envelope) {
        if (!(envelope.data() instanceof RetryScheduled retry)) {
            throw new MalformedEventException("unexpected event type on the retry topic: " + envelope.type().typeName());
        }
        Duration wait = Duration.between(Instant.now(), retry.notBefore());
        io.vertx.core.Context context = Vertx.currentContext();
        Uni<Void> due = wait.isNegative() || wait.isZero()
                ? Uni.createFrom().voidItem()
                : Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                        .emitOn(task -> context.runOnContext(v -> task.run()));
        return due.chain(() -> publisher.publish(Topics.SEND, record.key(), envelope)).replaceWithVoid();
    }
}
