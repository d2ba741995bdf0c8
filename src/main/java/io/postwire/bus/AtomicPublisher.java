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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.jboss.logging.Logger;

/**
 * Writes a group of events all-or-nothing, in one Kafka transaction: a message to several
 * recipients is accepted for all of them or for none, so a failed request that the client
 * retries never sends twice to the recipients that had made it. Readers use read_committed.
 *
 * <p>The transactional API blocks, so it runs on a few worker threads, each with its own
 * producer (a producer has at most one open transaction).
 */
@ApplicationScoped
public class AtomicPublisher {

    private static final Logger LOG = Logger.getLogger(AtomicPublisher.class);
    private static final int PRODUCERS = 4;

    /** One record of a group. */
    public record Keyed(String topic, String key, EventEnvelope envelope) {
    }

    private final KafkaClients clients;
    private final EventCodec codec;
    private final EventPublisher single;
    private final String idPrefix = "postwire-ingest-" + UUID.randomUUID();
    private final LinkedBlockingQueue<KafkaProducer<String, byte[]>> idle = new LinkedBlockingQueue<>();
    private final List<KafkaProducer<String, byte[]>> all = new ArrayList<>();
    private final ExecutorService workers = Executors.newFixedThreadPool(PRODUCERS, r -> {
        Thread t = new Thread(r, "postwire-txn");
        t.setDaemon(true);
        return t;
    });
    private int created;

    AtomicPublisher(KafkaClients clients, EventCodec codec, EventPublisher single) {
        this.clients = clients;
        this.codec = codec;
        this.single = single;
    }

    /** Completes when the whole group is committed; fails, with nothing visible, otherwise. */
    public Uni<Void> publishAll(List<Keyed> records) {
        if (records.size() == 1) {
            // One record is all-or-nothing on its own (idempotent producer, acks=all): a transaction
            // would only add its begin/commit round trips to the most common request.
            Keyed r = records.get(0);
            return single.publish(r.topic(), r.key(), r.envelope()).replaceWithVoid();
        }
        Context context = Vertx.currentContext();
        Uni<Void> work = Uni.createFrom().<Void>item(() -> {
            commit(records);
            return null;
        }).runSubscriptionOn(workers);
        return context == null ? work : work.emitOn(task -> context.runOnContext(v -> task.run()));
    }

    private void commit(List<Keyed> records) {
        KafkaProducer<String, byte[]> producer = take();
        try {
            producer.beginTransaction();
            List<Future<?>> sends = new ArrayList<>();
            for (Keyed r : records) {
                sends.add(producer.send(new ProducerRecord<>(r.topic(), r.key(), codec.write(r.envelope()))));
            }
            producer.commitTransaction(); // flushes; throws if any send failed
            for (Future<?> f : sends) {
                f.get(); // already complete; surfaces a per-record failure, if any, with its cause
            }
            idle.add(producer);
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
            // Fatal for this producer: drop it, a fresh one is made on demand.
            discard(producer);
            throw e;
        } catch (Exception e) {
            try {
                producer.abortTransaction();
                idle.add(producer);
            } catch (KafkaException abortFailed) {
                discard(producer);
            }
            throw e instanceof RuntimeException re ? re : new KafkaException(e);
        }
    }

    private KafkaProducer<String, byte[]> take() {
        KafkaProducer<String, byte[]> p = idle.poll();
        if (p != null) {
            return p;
        }
        synchronized (this) {
            p = new KafkaProducer<>(clients.transactionalProducerConfig(idPrefix + "-" + created++));
            all.add(p);
        }
        try {
            p.initTransactions();
        } catch (RuntimeException e) {
            discard(p);
            throw e;
        }
        return p;
    }

    private void discard(KafkaProducer<String, byte[]> producer) {
        synchronized (this) {
            all.remove(producer);
        }
        try {
            producer.close(Duration.ZERO);
        } catch (RuntimeException e) {
            LOG.debugf("closing a failed producer: %s", e.toString());
        }
    }

    void close(@Observes ShutdownEvent event) {
        workers.shutdown();
        synchronized (this) {
            all.forEach(p -> p.close(Duration.ofSeconds(5)));
        }
    }
}
