package io.postwire.projection;

import io.postwire.bus.DeadLetters;
import io.postwire.event.EventCodec;
import io.postwire.event.EventEnvelope;
import io.postwire.event.MalformedEventException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Feeds one {@link Projector} from Kafka, a polled batch per database transaction. The stored
 * offsets in {@link ProjectionOffset} are the truth: on assignment the consumer seeks to them,
 * and records below them are skipped, so every event is applied exactly once even when Kafka
 * redelivers. Deleting a projector's offsets and rows therefore rebuilds it from the topics.
 */
final class ProjectionRunner implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ProjectionRunner.class);

    private final Projector projector;
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<String> topics;
    private final EventCodec codec;
    private final DeadLetters deadLetters;
    private final Thread thread;
    private volatile boolean running = true;

    ProjectionRunner(Projector projector, KafkaConsumer<String, byte[]> consumer, List<String> topics, EventCodec codec,
            DeadLetters deadLetters) {
        this.projector = projector;
        this.consumer = consumer;
        this.topics = topics;
        this.codec = codec;
        this.deadLetters = deadLetters;
        this.thread = new Thread(this::run, "projection-" + projector.name());
        this.thread.setDaemon(true);
    }

    ProjectionRunner start() {
        thread.start();
        return this;
    }

    private void run() {
        consumer.subscribe(topics, new SeekToStoredOffsets());
        try {
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    continue;
                }
                List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
                records.forEach(batch::add);
                try {
                    applyBatch(batch);
                    consumer.commitAsync(); // for lag monitoring only; the database holds the truth
                } catch (RuntimeException e) {
                    if (!running) {
                        break;
                    }
                    if (isConcurrentApply(e)) {
                        LOG.infof("projection %s: another runner applied this batch first; re-reading", projector.name());
                    } else {
                        LOG.errorf(e, "projection %s: batch failed, retrying it", projector.name());
                    }
                    rewind(batch);
                    sleep(1000);
                }
            }
        } catch (WakeupException e) {
            // close()
        } catch (Throwable e) {
            LOG.errorf(e, "projection %s stopped", projector.name());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void applyBatch(List<ConsumerRecord<String, byte[]>> batch) {
        List<ConsumerRecord<String, byte[]>> readable = new ArrayList<>();
        Map<ConsumerRecord<String, byte[]>, EventEnvelope> decoded = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : batch) {
            try {
                decoded.put(r, codec.read(r.value()));
                readable.add(r);
            } catch (MalformedEventException e) {
                // Before the transaction: a crash after this re-sends the dead letter, never loses it.
                deadLetters.send("projection-" + projector.name(), r, e.getMessage()).await().atMost(Duration.ofSeconds(30));
            }
        }
        try {
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> apply(batch, readable, decoded)));
        } catch (Throwable t) {
            throw t instanceof RuntimeException re ? re : new IllegalStateException(t);
        }
    }

    private Uni<Void> apply(List<ConsumerRecord<String, byte[]>> batch, List<ConsumerRecord<String, byte[]>> readable,
            Map<ConsumerRecord<String, byte[]>, EventEnvelope> decoded) {
        return storedOffsets().chain(stored -> {
            List<Projector.Positioned> fresh = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : readable) {
                ProjectionOffset o = stored.get(ProjectionOffset.id(projector.name(), r.topic(), r.partition()));
                if (o != null && r.offset() < o.nextOffset) {
                    continue; // applied before this redelivery
                }
                fresh.add(new Projector.Positioned(decoded.get(r), r.topic() + "-" + r.partition() + "@" + r.offset()));
            }
            return projector.apply(fresh).chain(() -> advance(stored, batch));
        });
    }

    private Uni<Map<String, ProjectionOffset>> storedOffsets() {
        return ProjectionOffset.<ProjectionOffset>list("projector", projector.name()).map(list -> {
            Map<String, ProjectionOffset> m = new HashMap<>();
            list.forEach(o -> m.put(o.id, o));
            return m;
        });
    }

    private Uni<Void> advance(Map<String, ProjectionOffset> stored, List<ConsumerRecord<String, byte[]>> batch) {
        Map<String, ProjectionOffset> fresh = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : batch) {
            String id = ProjectionOffset.id(projector.name(), r.topic(), r.partition());
            ProjectionOffset o = stored.get(id);
            if (o == null) {
                o = fresh.computeIfAbsent(id, k -> {
                    ProjectionOffset n = new ProjectionOffset();
                    n.id = k;
                    n.projector = projector.name();
                    n.topic = r.topic();
                    n.partition = r.partition();
                    return n;
                });
            }
            o.nextOffset = Math.max(o.nextOffset, r.offset() + 1);
        }
        return fresh.isEmpty() ? Uni.createFrom().voidItem()
                : ProjectionOffset.persist(fresh.values()).replaceWithVoid();
    }

    private static boolean isConcurrentApply(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof jakarta.persistence.OptimisticLockException
                    || t instanceof org.hibernate.StaleStateException) {
                return true;
            }
        }
        return false;
    }

    /** After a failed transaction, read the batch again from its first offsets. */
    private void rewind(List<ConsumerRecord<String, byte[]>> batch) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : batch) {
            first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
        }
        first.forEach((tp, offset) -> {
            if (consumer.assignment().contains(tp)) {
                consumer.seek(tp, offset);
            }
        });
    }

    /** The database, not Kafka's committed offsets, says where this projector stands. */
    private final class SeekToStoredOffsets implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Map<String, ProjectionOffset> stored;
            try {
                stored = VertxContextSupport.subscribeAndAwait(() -> Panache.withSession(ProjectionRunner.this::storedOffsets));
            } catch (Throwable t) {
                throw new IllegalStateException("cannot read stored offsets of " + projector.name(), t);
            }
            List<TopicPartition> fromStart = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                ProjectionOffset o = stored.get(ProjectionOffset.id(projector.name(), tp.topic(), tp.partition()));
                if (o != null) {
                    consumer.seek(tp, o.nextOffset);
                } else {
                    fromStart.add(tp);
                }
            }
            if (!fromStart.isEmpty()) {
                consumer.seekToBeginning(fromStart);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
