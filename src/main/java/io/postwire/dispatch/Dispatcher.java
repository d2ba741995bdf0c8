package io.postwire.dispatch;

import io.postwire.bus.ConsumerLoop;
import io.postwire.bus.DeadLetters;
import io.postwire.bus.EventPublisher;
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
 * Consumes the send topic, resolves each send's route and site ({@link SiteRouter}), moves a
 * record keyed by anything but its site to its site's key, and hands the rest to a
 * {@link DeliveryAttempt}. The record's offset is committed (by {@link ConsumerLoop}) only once
 * the attempt's outcome events (or the moved record) are on Kafka.
 */
@ApplicationScoped
public class Dispatcher {

    static final String NAME = "dispatcher";

    private final KafkaClients clients;
    private final DeadLetters deadLetters;
    private final DeliveryAttempt attempt;
    private final DispatchConfig config;
    private final Vertx vertx;
    private final SiteRouter router;
    private final SiteShaping shaping;
    private final EventPublisher publisher;
    private final DeliveryMetrics metrics;
    private ConsumerLoop loop;

    Dispatcher(KafkaClients clients, DeadLetters deadLetters, DeliveryAttempt attempt, DispatchConfig config,
            Vertx vertx, SiteRouter router, SiteShaping shaping, EventPublisher publisher, DeliveryMetrics metrics) {
        this.clients = clients;
        this.deadLetters = deadLetters;
        this.attempt = attempt;
        this.config = config;
        this.vertx = vertx;
        this.router = router;
        this.shaping = shaping;
        this.publisher = publisher;
        this.metrics = metrics;
    }

    void start(@Observes @Priority(100) StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        // Fail the start, not the first send, on a bad relay or DKIM configuration.
        attempt.checkConfiguration();
        shaping.start();
        loop = new ConsumerLoop(NAME, clients.consumer("dispatch", 500), List.of(Topics.SEND), config.maxInFlight(),
                VertxExecutors.perRecordContext(vertx), deadLetters.reading(NAME, this::handle)).start();
    }

    void stop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.close();
        }
        shaping.stop();
    }

    Uni<Void> handle(ConsumerRecord<String, byte[]> record, EventEnvelope envelope) {
        SendRequested s;
        int n;
        if (envelope.data() instanceof SendRequested req) {
            s = req;
            n = 1;
        } else if (envelope.data() instanceof RetryScheduled r) {
            s = r.request();
            n = r.attempt();
        } else {
            throw new MalformedEventException("unexpected event type on the send topic: "
                    + envelope.type().typeName());
        }
        return router.resolve(s.recipientDomain()).chain(route -> {
            if (misKeyed(record.key(), route)) {
                return rekey(record, route.site());
            }
            return attempt.run(s, n, route);
        });
    }

    /**
     * A record belongs to the consumer of its site's partition, so that the site's limits have one
     * owner. Only a definite site (the DNS named hosts, or a route claims the domain) moves a record:
     * when the DNS fails, the fallback site is the domain, and moving on that would bounce records
     * between two keys.
     */
    private static boolean misKeyed(String key, SiteRouter.Resolution route) {
        return route.definite() && !route.site().equals(key);
    }

    /**
     * Writes the record again, keyed by its site, and lets this one be committed. A crash between the
     * write and the commit leaves both copies: the send is attempted twice (at-least-once).
     */
    private Uni<Void> rekey(ConsumerRecord<String, byte[]> record, String site) {
        metrics.rekeyed();
        return publisher.publishRaw(Topics.SEND, site, record.value(), List.of(record.headers().toArray()))
                .replaceWithVoid();
    }
}
