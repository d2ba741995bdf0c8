package io.postwire.dispatch;

import io.postwire.bus.EventPublisher;
import io.postwire.bus.KafkaClients;
import io.postwire.bus.Topics;
import io.postwire.event.EventCodec;
import io.postwire.event.SiteEnvelope;
import io.postwire.event.SiteEvent;
import io.postwire.event.SiteResumed;
import io.postwire.event.SiteSuspended;
import io.postwire.shaping.SiteKey;
import io.postwire.shaping.SiteShaper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Operators' suspend and resume commands travel as manual site events on {@code postwire.sites.v1}
 * so that the dispatcher owning the site applies them, whichever replica took the HTTP request.
 * Every dispatcher reads the topic without a consumer group and applies each manual
 * {@link SiteSuspended} / {@link SiteResumed} as it arrives. Replicas that do not own the site
 * hold a suspended entry nobody asks about, which costs a few hundred bytes until the suspension
 * ends. Events the shapers publish themselves are not manual and are not applied live.
 *
 * <p><b>Restart.</b> Before the dispatcher starts consuming sends, the topic is read from its
 * beginning to its end as of start, and each site's latest event is taken up again
 * ({@link SiteShaper#restore}): an operator's suspension, or a throttle Postwire imposed after a
 * provider's warning, survives a restart or a rolling update instead of being forgotten with
 * the process. The topic keeps 30 days, far longer than any suspension or ramp.
 */
@ApplicationScoped
public class SiteCommands {

    private static final Logger LOG = Logger.getLogger(SiteCommands.class);
    static final String SOURCE = "postwire/api";

    private final KafkaClients clients;
    private final EventPublisher publisher;
    private final EventCodec codec;
    private final SiteShaping shaping;
    private final DispatchConfig config;
    private final RetryForwarder retries;
    /** Bounds the start-up replay; the topic is small (site changes, not sends). */
    private static final Duration RESTORE_TIMEOUT = Duration.ofSeconds(30);
    private final Clock clock = Clock.systemUTC();
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running = true;
    private Thread thread;

    SiteCommands(KafkaClients clients, EventPublisher publisher, EventCodec codec, SiteShaping shaping,
            DispatchConfig config, RetryForwarder retries) {
        this.clients = clients;
        this.retries = retries;
        this.publisher = publisher;
        this.codec = codec;
        this.shaping = shaping;
        this.config = config;
    }

    /** Publishes an operator's suspension; completes when Kafka has it. */
    public Uni<SiteSuspended> suspend(String site, String pool, Duration duration, String reason) {
        SiteKey key = new SiteKey(pool, site);
        Instant now = clock.instant();
        SiteSuspended e = new SiteSuspended(key.site(), key.pool(), "operator: " + reason, null, null,
                shaping.enabled() ? shaping.limits(key) : io.postwire.shaping.ShapingConfig.shipped()
                        .limitsFor(key), now.plus(duration), true);
        return publisher.publishRaw(Topics.SITES, key.site(), codec.write(SiteEnvelope.of(SOURCE, now, e)), List.of())
                .replaceWith(e);
    }

    public Uni<SiteResumed> resume(String site, String pool, String reason) {
        SiteKey key = new SiteKey(pool, site);
        Instant now = clock.instant();
        SiteResumed e = new SiteResumed(key.site(), key.pool(), "operator: " + reason,
                shaping.enabled() ? shaping.limits(key) : io.postwire.shaping.ShapingConfig.shipped()
                        .limitsFor(key), true);
        return publisher.publishRaw(Topics.SITES, key.site(), codec.write(SiteEnvelope.of(SOURCE, now, e)), List.of())
                .replaceWith(e);
    }

    /** Before the dispatcher (100) and retry forwarder, so no send starts under forgotten limits. */
    void start(@Observes @Priority(90) StartupEvent event) {
        if (!config.enabled() || !shaping.enabled()) {
            return;
        }
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, clients.bootstrapServers());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "postwire-site-commands");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        KafkaConsumer<String, byte[]> k = new KafkaConsumer<>(c);
        // Assigned, not subscribed: positioned before start returns, so a command published
        // after start is never missed while a group would still be forming.
        List<TopicPartition> parts = k.partitionsFor(Topics.SITES).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        k.assign(parts);
        restore(k, parts);
        consumer = k;
        thread = new Thread(this::run, "postwire-site-commands");
        thread.setDaemon(true);
        thread.start();
    }

    /** Reads the topic up to its end as of now and takes up each site's latest event. */
    private void restore(KafkaConsumer<String, byte[]> k, List<TopicPartition> parts) {
        Map<TopicPartition, Long> end = k.endOffsets(parts);
        k.seekToBeginning(parts);
        Map<SiteKey, SiteEvent> latest = new HashMap<>();
        long deadline = System.nanoTime() + RESTORE_TIMEOUT.toNanos();
        while (parts.stream().anyMatch(p -> k.position(p) < end.get(p))) {
            if (System.nanoTime() > deadline) {
                LOG.warnf("site events not fully read within %s; restoring what was read", RESTORE_TIMEOUT);
                break;
            }
            for (ConsumerRecord<String, byte[]> r : k.poll(Duration.ofMillis(200))) {
                if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                    readEnvelope(r).map(SiteEnvelope::data).ifPresent(e -> latest.put(new SiteKey(e.pool(), e.site()), e));
                }
            }
        }
        // Whatever was read past the end as of start is read again by the live loop.
        end.forEach(k::seek);
        int held = 0;
        for (SiteEvent e : latest.values()) {
            if (shaping.restore(e)) {
                held++;
            }
        }
        LOG.infof("site events replayed: %d sites seen, %d still suspended or throttled", latest.size(), held);
    }

    private Optional<SiteEnvelope> readEnvelope(ConsumerRecord<String, byte[]> r) {
        try {
            return Optional.of(codec.readSite(r.value()));
        } catch (RuntimeException e) {
            LOG.warnf("unreadable site event at %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), e.toString());
            return Optional.empty();
        }
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    apply(r);
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.errorf(e, "site command reader stopped");
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        Optional<SiteEnvelope> env = readEnvelope(r);
        SiteEvent e = env.map(SiteEnvelope::data).orElse(null);
        if (e instanceof SiteSuspended s && s.manual()) {
            shaping.suspend(s.site(), s.pool(), s.until(), s.reason());
        } else if (e instanceof SiteResumed s && s.manual()) {
            shaping.resume(s.site(), s.pool(), s.reason());
            // The operator says the site may take mail now: what was parked for it goes now.
            retries.release(s.site(), env.get().time());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
    }
}
