package io.postwire.bus;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Consumes topics with many records in flight at once and commits an offset only when every
 * record before it has been handled. Handling a record means its handler's Uni completed, which
 * for Postwire's handlers means the resulting events are on Kafka: a crash at any point replays
 * the unfinished records instead of losing them (at-least-once).
 *
 * <p>A handler failure is an infrastructure fault (a bug or Kafka being away), never an expected
 * outcome, so the record is retried with backoff until it succeeds; other partitions go on.
 */
public final class ConsumerLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ConsumerLoop.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final long COMMIT_INTERVAL_MS = 200;
    private static final long MAX_RETRY_DELAY_MS = 30_000;

    private final String name;
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<String> topics;
    private final int maxInFlight;
    private final Function<ConsumerRecord<String, byte[]>, Uni<Void>> handler;
    private final Executor handlerExecutor;
    private final ScheduledExecutorService retryTimer;
    private final Thread thread;

    /** Completions from handler threads, applied by the poll thread (KafkaConsumer is single-threaded). */
    private final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, Progress> progress = new HashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean running = true;
    private Duration drainTimeout = Duration.ofSeconds(15);
    private boolean paused;
    private long lastCommit;

    private record Done(TopicPartition partition, long offset, Progress owner) {
    }

    /** Offsets started and not yet finished in one partition, for one assignment of it. */
    private static final class Progress {
        final TreeSet<Long> pending = new TreeSet<>();
        long nextToStart = -1;
        long committed = -1;

        long committable() {
            return pending.isEmpty() ? nextToStart : pending.first();
        }
    }

    public ConsumerLoop(String name, KafkaConsumer<String, byte[]> consumer, List<String> topics, int maxInFlight,
            Executor handlerExecutor, Function<ConsumerRecord<String, byte[]>, Uni<Void>> handler) {
        this.name = name;
        this.consumer = consumer;
        this.topics = List.copyOf(topics);
        this.maxInFlight = maxInFlight;
        this.handlerExecutor = handlerExecutor;
        this.handler = handler;
        this.retryTimer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, name + "-retry"));
        this.thread = daemon(this::run, name + "-poll");
    }

    /**
     * How long a stop waits for records in flight before committing what finished. Records still
     * running are replayed by the next owner, so a loop whose records mostly wait (the retry
     * forwarder) uses a short one.
     */
    public ConsumerLoop drainTimeout(Duration timeout) {
        this.drainTimeout = timeout;
        return this;
    }

    public ConsumerLoop start() {
        thread.start();
        return this;
    }

    public int inFlight() {
        return inFlight.get();
    }

    private void run() {
        consumer.subscribe(topics, new Rebalance());
        try {
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                for (ConsumerRecord<String, byte[]> r : records) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    Progress p = progress.computeIfAbsent(tp, k -> new Progress());
                    p.pending.add(r.offset());
                    p.nextToStart = r.offset() + 1;
                    inFlight.incrementAndGet();
                    dispatch(r, new Done(tp, r.offset(), p), 0);
                }
                applyDone();
                flowControl();
                commitIfDue(false);
            }
        } catch (WakeupException e) {
            // close() woke us up.
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s: consumer loop failed", name);
        } finally {
            drainAndClose();
        }
    }

    private void dispatch(ConsumerRecord<String, byte[]> record, Done done, long retryDelay) {
        handlerExecutor.execute(() -> {
            Uni<Void> work;
            try {
                work = handler.apply(record);
            } catch (RuntimeException e) {
                work = Uni.createFrom().failure(e);
            }
            work.subscribe().with(ok -> finished(done), error -> {
                if (!running) {
                    // Left uncommitted: the next owner of the partition replays it.
                    LOG.warnf("%s: giving up %s@%d at shutdown: %s", name, done.partition, done.offset, error);
                    return;
                }
                long next = Math.min(MAX_RETRY_DELAY_MS, Math.max(500, retryDelay * 2));
                LOG.errorf(error, "%s: handling %s@%d failed, retrying in %d ms", name, done.partition, done.offset, next);
                retryTimer.schedule(() -> dispatch(record, done, next), next, TimeUnit.MILLISECONDS);
            });
        });
    }

    private void finished(Done d) {
        done.add(d);
        inFlight.decrementAndGet();
    }

    private void applyDone() {
        Done d;
        while ((d = done.poll()) != null) {
            Progress p = progress.get(d.partition);
            if (p == d.owner) {
                p.pending.remove(d.offset);
            }
        }
    }

    private void flowControl() {
        int n = inFlight.get();
        if (!paused && n >= maxInFlight) {
            consumer.pause(consumer.assignment());
            paused = true;
        } else if (paused && n <= maxInFlight / 2) {
            consumer.resume(consumer.assignment());
            paused = false;
        }
    }

    private void commitIfDue(boolean sync) {
        long now = System.currentTimeMillis();
        if (!sync && now - lastCommit < COMMIT_INTERVAL_MS) {
            return;
        }
        lastCommit = now;
        Map<TopicPartition, OffsetAndMetadata> offsets = committable(progress.keySet());
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(offsets);
        } else {
            consumer.commitAsync(offsets, (o, e) -> {
                if (e != null) {
                    LOG.warnf("%s: offset commit failed (will retry): %s", name, e.toString());
                }
            });
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> committable(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Progress p = progress.get(tp);
            if (p == null || p.nextToStart < 0) {
                continue;
            }
            long c = p.committable();
            if (c > p.committed) {
                offsets.put(tp, new OffsetAndMetadata(c));
                p.committed = c;
            }
        }
        return offsets;
    }

    /** Stops taking records, waits a bounded time for those in flight, commits what finished. */
    private void drainAndClose() {
        try {
            consumer.pause(consumer.assignment());
            long deadline = System.currentTimeMillis() + drainTimeout.toMillis();
            while (inFlight.get() > 0 && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(50));
                applyDone();
            }
            applyDone();
            commitIfDue(true);
        } catch (RuntimeException e) {
            LOG.warnf("%s: final commit failed: %s", name, e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
            retryTimer.shutdownNow();
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Commits what is finished before a partition leaves, so its next owner replays little. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            applyDone();
            try {
                Map<TopicPartition, OffsetAndMetadata> offsets = committable(partitions);
                if (!offsets.isEmpty()) {
                    consumer.commitSync(offsets);
                }
            } catch (RuntimeException e) {
                LOG.warnf("%s: commit on revoke failed: %s", name, e.toString());
            }
            partitions.forEach(progress::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (paused) {
                consumer.pause(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(progress::remove);
        }
    }

    private static Thread daemon(Runnable r, String threadName) {
        Thread t = new Thread(r, threadName);
        t.setDaemon(true);
        return t;
    }
}
