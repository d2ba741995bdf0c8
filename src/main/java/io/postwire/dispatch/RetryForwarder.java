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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Brings deferred sends back: reads {@link RetryScheduled} from the retry topic, waits until
 * its time, and writes it to the send topic. The wait holds only an uncommitted offset, so a
 * restart re-reads the record from Kafka: nothing waits only in memory.
 *
 * <p><b>Tiers.</b> Waiting records count against an in-flight bound, and a partition's commits
 * follow its oldest record, so a deep backlog of long waits would hold up short ones behind it.
 * Waits are therefore written to a tier topic by length ({@link Topics#retryTopicFor}), and
 * each tier has its own consumer and bound: thousands of sends parked for an hour behind a
 * suspended provider never delay another site's five-minute retry.
 *
 * <p><b>Resume.</b> Sends parked behind a suspended site wait until the suspension's end. When
 * an operator resumes the site early ({@link #release}), its waiting records go at once, and so
 * does any of its records written before the resume that is read later: the operator said the
 * site may take mail now, so nothing already waiting for it should wait longer.
 */
@ApplicationScoped
public class RetryForwarder {

    static final String NAME = "retry-forwarder";

    private final KafkaClients clients;
    private final EventPublisher publisher;
    private final DeadLetters deadLetters;
    private final DispatchConfig config;
    private final Vertx vertx;
    private final List<ConsumerLoop> loops = new ArrayList<>();
    /** Site → when an operator last resumed it; records written before then wait no longer. */
    private final Map<String, Instant> releasedAt = new ConcurrentHashMap<>();
    /** Site → the waits in progress, each completed by its timer or by a release. */
    private final Map<String, Set<Waiter>> waiting = new ConcurrentHashMap<>();

    /** One record waiting in memory: when its send was requested, and how to wake it early. */
    private record Waiter(Instant requestedAt, Runnable wake) {
    }

    /**
     * What the forwarders hold for one site now: retries and parked sends read from the retry
     * tiers and not yet due. Records a full tier has not read yet are not counted.
     */
    public record Waiting(int count, Instant oldestRequestedAt) {
    }

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
        for (String topic : Topics.RETRY_TIERS) {
            // The first tier keeps the group and name it always had, so its committed offsets stay valid.
            String tier = topic.equals(Topics.RETRY) ? "" : "-" + topic.split("\\.")[2];
            String name = NAME + tier;
            loops.add(new ConsumerLoop(name, clients.consumer("retry" + tier, 500), List.of(topic),
                    config.retryMaxWaiting(), VertxExecutors.perRecordContext(vertx),
                    deadLetters.reading(name, this::handle)).drainTimeout(Duration.ofSeconds(2)).start());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        loops.forEach(ConsumerLoop::close);
    }

    Uni<Void> handle(ConsumerRecord<String, byte[]> record, EventEnvelope envelope) {
        if (!(envelope.data() instanceof RetryScheduled retry)) {
            throw new MalformedEventException("unexpected event type on the retry topic: " + envelope.type().typeName());
        }
        Duration wait = Duration.between(Instant.now(), retry.notBefore());
        String site = record.key();
        Instant released = site == null ? null : releasedAt.get(site);
        boolean go = wait.isNegative() || wait.isZero() || (released != null && envelope.time().isBefore(released));
        Uni<Void> due = go ? Uni.createFrom().voidItem() : waitFor(site, wait, retry.request().requestedAt());
        return due.chain(() -> publisher.publish(Topics.SEND, record.key(), envelope)).replaceWithVoid();
    }

    /**
     * An operator resumed {@code site} at {@code at}: its records waiting now, and those written
     * before {@code at} and read later, go to the send topic at once.
     */
    void release(String site, Instant at) {
        releasedAt.merge(site, at, (a, b) -> a.isAfter(b) ? a : b);
        // Bounded by operator actions; forget the ones no waiting record can predate any more.
        Instant horizon = at.minus(config.maxAge());
        releasedAt.values().removeIf(t -> t.isBefore(horizon));
        Set<Waiter> waiters = waiting.get(site);
        if (waiters != null) {
            List.copyOf(waiters).forEach(w -> w.wake().run());
        }
    }

    /** Completes after {@code wait}, or earlier on {@link #release}, on the caller's context. */
    private Uni<Void> waitFor(String site, Duration wait, Instant requestedAt) {
        io.vertx.core.Context context = Vertx.currentContext();
        return Uni.createFrom().emitter(em -> {
            AtomicBoolean done = new AtomicBoolean();
            long[] timer = {-1};
            Waiter[] self = new Waiter[1];
            self[0] = new Waiter(requestedAt, () -> {
                if (done.compareAndSet(false, true)) {
                    unregister(site, self[0]);
                    vertx.cancelTimer(timer[0]);
                    context.runOnContext(v -> em.complete(null));
                }
            });
            if (site != null) {
                waiting.computeIfAbsent(site, k -> ConcurrentHashMap.newKeySet()).add(self[0]);
            }
            timer[0] = vertx.setTimer(Math.max(1, wait.toMillis()), id -> self[0].wake().run());
            em.onTermination(() -> {
                // cancelled (shutdown): stop the timer and the registration, complete nothing
                if (done.compareAndSet(false, true)) {
                    unregister(site, self[0]);
                    vertx.cancelTimer(timer[0]);
                }
            });
        });
    }

    private void unregister(String site, Waiter waiter) {
        if (site != null) {
            waiting.computeIfPresent(site, (k, set) -> {
                set.remove(waiter);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** Per site, the records waiting in memory now (the sites API shows them as parked). */
    public Map<String, Waiting> waitingBySite() {
        Map<String, Waiting> out = new HashMap<>();
        waiting.forEach((site, set) -> {
            Instant oldest = null;
            int n = 0;
            for (Waiter w : set) {
                n++;
                if (oldest == null || w.requestedAt().isBefore(oldest)) {
                    oldest = w.requestedAt();
                }
            }
            if (n > 0) {
                out.put(site, new Waiting(n, oldest));
            }
        });
        return out;
    }
}
