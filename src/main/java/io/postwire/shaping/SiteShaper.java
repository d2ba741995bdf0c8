package io.postwire.shaping;

import io.postwire.event.SiteEvent;
import io.postwire.event.SiteLimits;
import io.postwire.event.SiteResumed;
import io.postwire.event.SmtpReply;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Decides, per destination site and sending pool, whether a message or a connection may start
 * now, and adapts the limits to what the site's replies say. One per dispatcher process.
 *
 * <p><b>Threads.</b> Thread-safe and non-blocking in practice: the dispatcher runs sends on
 * several Vert.x contexts, so each site's state is guarded by its own monitor, held for a few
 * arithmetic operations and never across I/O. Different sites never contend.
 *
 * <p><b>Time.</b> Everything reads the injected clock; nothing sleeps or schedules. The caller
 * runs {@link #tick()} periodically (every second is plenty) to end suspensions, ramp throttled
 * sites back and forget idle ones, and publishes the events it returns.
 *
 * <p><b>Memory.</b> A site costs a few hundred bytes and is forgotten once it has been idle at
 * its configured limits for {@code idle-eviction}, or sooner, least recently active first, when
 * more than {@code max-sites} are held. Throttled, suspended, busy or backlogged sites are
 * never forgotten, and a capped site not until its day's count no longer matters.
 */
public final class SiteShaper {

    private final ShapingConfig config;
    private final Clock clock;
    private final ConcurrentHashMap<SiteKey, SiteState> sites = new ConcurrentHashMap<>();

    public SiteShaper(ShapingConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * May a message to this site start now? A {@link Admission.Permit} counts against the message
     * rate and the daily cap at once; there is nothing to give back. Otherwise
     * {@link Admission.WaitUntil} or {@link Admission.Suspended}.
     */
    public Admission admit(SiteKey key) {
        long now = now();
        return with(key, s -> s.admitMessage(now));
    }

    /**
     * Like {@link #admit}, for a caller that will wait: a wait of at most {@code maxWait} takes
     * the next free slot for it and answers {@link Admission.Reserved}, so that each waiting
     * message has its own slot and exactly one starts per slot, however many wait. A longer wait
     * answers {@link Admission.WaitUntil} and reserves nothing (the caller parks the message).
     */
    public Admission reserve(SiteKey key, Duration maxWait) {
        long now = now();
        long max = Math.max(0, Nanos.of(maxWait));
        return with(key, s -> s.reserveMessage(now, max));
    }

    /**
     * A {@link Admission.Reserved} slot has come: {@link Admission.Permit}, or
     * {@link Admission.Suspended} when the site was suspended since (the reservation is then given
     * back to the daily cap; ask again after the suspension).
     */
    public Admission claim(SiteKey key) {
        long now = now();
        return with(key, s -> s.claimReserved(now));
    }

    /**
     * May a new connection to this site be opened now? Ask only when no open connection can take
     * the message. A {@link Admission.Permit} must be matched by {@link #connectionClosed} when
     * the connection ends, however it ends. {@link Admission.Busy} means every allowed
     * connection is open.
     */
    public Admission openConnection(SiteKey key) {
        long now = now();
        return with(key, s -> s.openConnection(now));
    }

    public void connectionClosed(SiteKey key) {
        long now = now();
        withExisting(key, s -> {
            s.connectionClosed(now);
            return null;
        });
    }

    /** The limits in force now; {@code messagesPerConnection} tells the pool when to QUIT. */
    public SiteLimits limits(SiteKey key) {
        SiteLimits l = withExisting(key, SiteState::effective);
        return l != null ? l : config.limitsFor(key);
    }

    /**
     * True when a throttle has left more connections open than now allowed: close this one after
     * its current transaction instead of reusing it.
     */
    public boolean overConnectionLimit(SiteKey key) {
        return Boolean.TRUE.equals(withExisting(key, SiteState::overConnectionLimit));
    }

    /**
     * Feeds back the outcome of an SMTP transaction or connection attempt: the reply, or null with
     * {@code networkFailure} when there was none. Returns the site change to publish, if any.
     */
    public Optional<SiteEvent> observe(SiteKey key, SmtpReply replyOrNull, boolean networkFailure) {
        long now = now();
        return with(key, s -> s.observe(replyOrNull, networkFailure, now, config));
    }

    /** The dispatcher's backlog for the site, so the snapshot can show it; 0 clears it. */
    public void queued(SiteKey key, long count, Instant oldest) {
        long now = now();
        if (count <= 0) {
            withExisting(key, s -> {
                s.queued(0, Nanos.NONE, now);
                return null;
            });
        } else {
            with(key, s -> {
                s.queued(count, oldest == null ? now : Nanos.of(oldest), now);
                return null;
            });
        }
    }

    /** An operator stops the site for this pool until {@code now + duration}, replacing any suspension. */
    public SiteEvent suspend(SiteKey key, Duration duration, String reason) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("suspension must be positive, was " + duration);
        }
        String why = "operator: " + (reason == null || reason.isBlank() ? "suspended" : reason.strip());
        long now = now();
        return with(key, s -> s.suspend(now, Nanos.of(duration), why, true, null, null));
    }

    /** An operator lifts any suspension or throttle: the site is back at its configured limits now. */
    public SiteEvent resume(SiteKey key, String reason) {
        String why = "operator: " + (reason == null || reason.isBlank() ? "resumed" : reason.strip());
        long now = now();
        return with(key, s -> s.resume(now, why));
    }

    public SiteEvent resume(SiteKey key) {
        return resume(key, null);
    }

    /**
     * Takes up a site's condition from before a restart: {@code event} is the latest site event
     * recorded for its site and pool. A suspension or throttle still in force holds again, with
     * its reason, until its recorded end or ramp step; a resumption or a finished suspension
     * changes nothing. Nothing is published: the event already says it.
     *
     * @return true when the site is now held suspended or throttled
     */
    public boolean restore(SiteEvent event) {
        long now = now();
        SiteKey key = new SiteKey(event.pool(), event.site());
        if (event instanceof SiteResumed) {
            return false;
        }
        return with(key, s -> s.restore(event, now, config));
    }

    /** Ends due suspensions, takes due ramp steps, forgets idle sites; returns the changes to publish. */
    public List<SiteEvent> tick() {
        long now = now();
        long idle = Nanos.of(config.idleEviction());
        List<SiteEvent> events = new ArrayList<>();
        List<SiteState> quiet = new ArrayList<>();
        for (SiteState s : sites.values()) {
            synchronized (s) {
                if (s.evicted) {
                    continue;
                }
                s.advance(now, config).ifPresent(events::add);
                if (s.forgettable(now, idle)) {
                    forget(s);
                } else if (s.quiet()) {
                    quiet.add(s);
                }
            }
        }
        int excess = sites.size() - config.maxSites();
        if (excess > 0) {
            quiet.sort(Comparator.comparingLong(SiteState::lastActivity));
            for (int i = 0; i < quiet.size() && excess > 0; i++) {
                SiteState s = quiet.get(i);
                synchronized (s) {
                    if (!s.evicted && s.quiet()) {
                        forget(s);
                        excess--;
                    }
                }
            }
        }
        return events;
    }

    public List<SiteSnapshot> snapshot() {
        long now = now();
        List<SiteSnapshot> out = new ArrayList<>(sites.size());
        for (SiteState s : sites.values()) {
            synchronized (s) {
                if (!s.evicted) {
                    out.add(s.snapshot(now));
                }
            }
        }
        out.sort(Comparator.comparing(SiteSnapshot::key));
        return out;
    }

    /** The site as it is now; empty when it is not held (it would start at its configured limits). */
    public Optional<SiteSnapshot> snapshot(SiteKey key) {
        long now = now();
        return Optional.ofNullable(withExisting(key, s -> s.snapshot(now)));
    }

    /** How many site states are held now. */
    public int size() {
        return sites.size();
    }

    private void forget(SiteState s) {
        s.evicted = true;
        sites.remove(s.key, s);
    }

    private <T> T with(SiteKey key, Function<SiteState, T> action) {
        while (true) {
            SiteState s = sites.computeIfAbsent(key, k -> new SiteState(k, config.limitsFor(k), now()));
            synchronized (s) {
                // Lost a race with tick() forgetting it: take the fresh one.
                if (!s.evicted) {
                    return action.apply(s);
                }
            }
        }
    }

    private <T> T withExisting(SiteKey key, Function<SiteState, T> action) {
        SiteState s = sites.get(key);
        if (s == null) {
            return null;
        }
        synchronized (s) {
            return s.evicted ? null : action.apply(s);
        }
    }

    private long now() {
        return Nanos.of(clock.instant());
    }
}
