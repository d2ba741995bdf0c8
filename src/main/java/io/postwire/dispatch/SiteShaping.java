package io.postwire.dispatch;

import io.postwire.bus.EventPublisher;
import io.postwire.bus.Topics;
import io.postwire.event.EventCodec;
import io.postwire.event.SiteEnvelope;
import io.postwire.event.SiteEvent;
import io.postwire.event.SiteLimits;
import io.postwire.event.SmtpReply;
import io.postwire.shaping.Admission;
import io.postwire.shaping.ShapingConfig;
import io.postwire.shaping.ShapingConfigParser;
import io.postwire.shaping.SiteKey;
import io.postwire.shaping.SiteShaper;
import io.postwire.shaping.SiteSnapshot;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The dispatcher's side of per-site shaping: asks {@link SiteShaper} before each message (waiting
 * on a Vert.x timer when the wait is short, or telling the caller to park the send when it is
 * not), hands out connection slots per site ({@link SiteGate}), feeds every outcome back, runs
 * the shaper's clock every second and publishes the site events it returns.
 *
 * <p>Off with {@code postwire.shaping.enabled=false} (for benchmarks): then every send goes at
 * once and nothing is published. Shaping applies to direct-to-MX delivery only: behind a relay
 * the receiving sites see the relay's IP, not ours, and the relay shapes.
 */
@ApplicationScoped
public class SiteShaping {

    private static final Logger LOG = Logger.getLogger(SiteShaping.class);
    static final String SOURCE = "postwire/dispatch";

    /** What a send may do now. */
    public sealed interface Admit {
    }

    /** Go ahead: the message counted against the site's rate and daily cap. */
    public record Go() implements Admit {
    }

    /** The site cannot take it soon: put the send back on the retry topic until {@code until}. */
    public record Park(Instant until, String reason) implements Admit {
    }

    private static final Go GO = new Go();

    private final boolean enabled;
    private final SiteShaper shaper;
    private final Duration maxWait;
    private final Duration idleTimeout;
    private final Vertx vertx;
    private final EventPublisher publisher;
    private final EventCodec codec;
    private final Clock clock = Clock.systemUTC();
    private final Map<SiteKey, SiteGate> gates = new ConcurrentHashMap<>();
    private long ticker = -1;

    @Inject
    SiteShaping(ShapingProperties config, DispatchConfig dispatch,
            MxConfig mx, Vertx vertx, EventPublisher publisher, EventCodec codec) {
        this(config.enabled() ? new SiteShaper(parse(config), Clock.systemUTC()) : null, dispatch.shapingMaxWait(),
                mx.idleTimeout(), vertx, publisher, codec);
    }

    /** With a given shaper (null: shaping off); for tests. */
    SiteShaping(SiteShaper shaper, Duration maxWait, Duration idleTimeout, Vertx vertx, EventPublisher publisher,
            EventCodec codec) {
        this.enabled = shaper != null;
        this.shaper = shaper;
        this.maxWait = maxWait;
        this.idleTimeout = idleTimeout;
        this.vertx = vertx;
        this.publisher = publisher;
        this.codec = codec;
    }

    /** Every {@code postwire.shaping.*} property, prefixed again, as the parser wants them. */
    static ShapingConfig parse(ShapingProperties config) {
        Map<String, String> props = new HashMap<>();
        config.properties().forEach((k, v) -> {
            if (!k.equals("enabled")) {
                props.put(ShapingConfigParser.PREFIX + k, v);
            }
        });
        return ShapingConfigParser.parse(props);
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * May a message to the site from the pool start? Waits (on a timer, nothing blocks) while the site's rate
     * frees up within {@code shaping-max-wait}; a longer wait or a suspension answers {@link Park}.
     */
    public Uni<Admit> admit(SiteKey key, Instant requestedAt) {
        if (!enabled) {
            return Uni.createFrom().item(GO);
        }
        Admission a = shaper.reserve(key, maxWait);
        if (a instanceof Admission.Permit) {
            return Uni.createFrom().item(GO);
        }
        if (a instanceof Admission.Reserved r) {
            // The slot is this send's alone: one timer, one wake-up, no asking again for the rate.
            SiteGate gate = gate(key);
            gate.waiting(requestedAt, +1);
            return sleep(Duration.between(clock.instant(), r.at()))
                    .eventually(() -> gate.waiting(requestedAt, -1))
                    .map(v -> claimed(key));
        }
        return Uni.createFrom().item(park(a));
    }

    /** The reserved slot has come: go, unless the site was suspended meanwhile. */
    private Admit claimed(SiteKey key) {
        Admission a = shaper.claim(key);
        return a instanceof Admission.Permit ? GO : park(a);
    }

    private static Park park(Admission a) {
        if (a instanceof Admission.WaitUntil w) {
            return new Park(w.at(), w.reason());
        }
        Admission.Suspended s = (Admission.Suspended) a;
        return new Park(s.until(), s.reason());
    }

    /**
     * A connection slot to the site: the shaper's max-connections and connection rate. Completes
     * when one is free; the lease must be released when the session's transaction is over.
     */
    public Uni<SiteGate.Lease> connection(SiteKey key, Instant requestedAt) {
        if (!enabled) {
            return Uni.createFrom().item(SiteGate.Lease.NONE);
        }
        return Uni.createFrom().deferred(() -> {
            while (true) {
                SiteGate g = gate(key);
                Uni<SiteGate.Lease> lease = g.acquire(requestedAt);
                if (lease != null) {
                    return lease;
                }
            }
        });
    }

    /** The limits in force for a site (its pool size when delivering direct). */
    SiteLimits limits(SiteKey key) {
        return shaper.limits(key);
    }

    /** Feeds an outcome back: the reply, or none with a network failure. Publishes a resulting change. */
    public void observe(SiteKey key, SmtpReply reply, boolean networkFailure) {
        if (enabled) {
            shaper.observe(key, reply, networkFailure).ifPresent(this::publish);
        }
    }

    public List<SiteSnapshot> snapshot() {
        return enabled ? shaper.snapshot() : List.of();
    }

    public Optional<SiteSnapshot> snapshot(SiteKey key) {
        return enabled ? shaper.snapshot(key) : Optional.empty();
    }

    /** Applies an operator's suspension (from the sites topic); the command itself is the event. */
    void suspend(String site, String pool, Instant until, String reason) {
        Duration d = Duration.between(clock.instant(), until);
        if (enabled && d.compareTo(Duration.ZERO) > 0) {
            shaper.suspend(new SiteKey(pool, site), d, stripOperator(reason));
        }
    }

    void resume(String site, String pool, String reason) {
        if (enabled) {
            shaper.resume(new SiteKey(pool, site), stripOperator(reason));
        }
    }

    /** Takes up a site's latest event from before this process started; see {@link SiteShaper#restore}. */
    boolean restore(SiteEvent event) {
        return enabled && shaper.restore(event);
    }

    /** The API writes "operator: why"; the shaper prefixes it again. */
    private static String stripOperator(String reason) {
        return reason != null && reason.startsWith("operator: ") ? reason.substring("operator: ".length()) : reason;
    }

    /** Starts the one-second clock: suspensions end, throttles ramp, idle slots close, backlogs show. */
    void start() {
        if (enabled && ticker < 0) {
            ticker = vertx.setPeriodic(1000, id -> tick());
        }
    }

    void stop() {
        if (ticker >= 0) {
            vertx.cancelTimer(ticker);
        }
    }

    void tick() {
        try {
            long now = System.nanoTime();
            for (SiteGate g : gates.values()) {
                g.sweep(now, idleTimeout.toNanos());
                g.reportBacklog();
                gates.computeIfPresent(g.key(), (k, v) -> v.retireIfUnused() ? null : v);
            }
            shaper.tick().forEach(this::publish);
        } catch (RuntimeException e) {
            LOG.errorf(e, "site shaping tick failed");
        }
    }

    private SiteGate gate(SiteKey key) {
        return gates.computeIfAbsent(key, k -> new SiteGate(k, shaper, vertx));
    }

    /**
     * Site events are operational (why a site waits), not part of any promise: a lost one is
     * superseded by the next change or tick, so the publish is not awaited.
     */
    private void publish(SiteEvent event) {
        byte[] value = codec.write(SiteEnvelope.of(SOURCE, clock.instant(), event));
        publisher.publishRaw(Topics.SITES, event.site(), value, List.of())
                .subscribe().with(md -> { }, f -> LOG.warnf("site event for %s not published: %s", event.site(), f));
    }

    /** Rounded up to whole milliseconds (Vert.x timers), so a send never starts before its slot. */
    private Uni<Void> sleep(Duration d) {
        long ms = ceilMillis(d);
        if (ms <= 0) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().emitter(em -> vertx.setTimer(ms, id -> em.complete(null)));
    }

    /** Whole milliseconds, rounded up: 4.2 ms is 5, 0 or less is 0. */
    static long ceilMillis(Duration d) {
        long nanos = d.toNanos();
        return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
    }

    /** Sites with a gate now (connections or waiters); for tests. */
    int gates() {
        return gates.size();
    }
}
