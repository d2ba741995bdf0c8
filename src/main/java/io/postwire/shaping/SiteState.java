package io.postwire.shaping;

import io.postwire.event.SiteEvent;
import io.postwire.event.SiteLimits;
import io.postwire.event.SiteResumed;
import io.postwire.event.SiteSuspended;
import io.postwire.event.SiteThrottled;
import io.postwire.event.SmtpReply;
import io.postwire.shaping.Admission.Busy;
import io.postwire.shaping.Admission.Permit;
import io.postwire.shaping.Admission.Reserved;
import io.postwire.shaping.Admission.Suspended;
import io.postwire.shaping.Admission.WaitUntil;
import io.postwire.shaping.SiteSnapshot.State;
import java.util.Optional;

/**
 * The mutable state of one site and pool: pacing, counters and the backoff state machine
 * (ACTIVE → THROTTLED/SUSPENDED → back). Kept to primitives and shared references so that tens
 * of thousands fit in a few megabytes: instants are {@link Nanos} longs, limits are the
 * configuration's own objects until a throttle changes them.
 *
 * <p>Not thread-safe: {@link SiteShaper} holds this object's monitor around every call.
 *
 * <p>Rates are enforced as GCRA with a burst of one: {@code messageTat} is the earliest instant
 * the next message may start, so admissions are spaced evenly at the rate's interval and a site
 * never sees a burst, even after a quiet spell. The schedule is kept, not restarted from the
 * moment a send happens to ask (see {@link #nextSlot}), and a waiting send can reserve its slot
 * ({@link #reserveMessage}) so that waiters are handed distinct slots instead of all waking for
 * the same one.
 */
final class SiteState {

    final SiteKey key;
    private final SiteLimits configured;
    private SiteLimits effective;
    private State state = State.ACTIVE;
    private String reason = "configured limits";
    private double rateFactor = 1;
    private double connectionFactor = 1;
    /** When a suspension ends or, when throttled, when the next ramp step is due. */
    private long deadline = Nanos.NONE;
    private long lastCutAt = Nanos.NONE;
    private long messageTat = Long.MIN_VALUE / 2;
    private long connectionTat = Long.MIN_VALUE / 2;
    /**
     * The slot after the last one promised to a send told to come back later ({@link WaitUntil}
     * for the rate): each such send is given its own later slot, so parked sends come back one
     * per interval instead of all at the next free slot, where all but a few would park again.
     */
    private long parkTat = Long.MIN_VALUE / 2;
    private int open;
    private long day;
    private long sentToday;
    private SmtpReply lastReply;
    private long lastReplyAt = Nanos.NONE;
    private long lastNetworkFailureAt = Nanos.NONE;
    private long queued;
    private long oldestQueued = Nanos.NONE;
    private long lastActivity;
    /** Set under the monitor when {@link SiteShaper} drops this object; a caller holding it retries. */
    boolean evicted;

    SiteState(SiteKey key, SiteLimits configured, long now) {
        this.key = key;
        this.configured = configured;
        this.effective = configured;
        this.lastActivity = now;
        this.day = Nanos.day(now);
    }

    Admission admitMessage(long now) {
        return reserveMessage(now, 0);
    }

    /**
     * Like {@link #admitMessage}, but a wait of at most {@code maxWait} nanoseconds takes the next
     * free slot for the caller: {@link Reserved} counts against the rate and the daily cap at
     * once, and the slot after it goes to the next caller. A longer wait reserves nothing.
     */
    Admission reserveMessage(long now, long maxWait) {
        lastActivity = now;
        if (suspendedAt(now)) {
            return new Suspended(Nanos.instant(deadline), reason);
        }
        if (Nanos.day(now) != day) {
            day = Nanos.day(now);
            sentToday = 0;
        }
        if (configured.dailyCap() > 0 && sentToday >= configured.dailyCap()) {
            return new WaitUntil(Nanos.instant((day + 1) * Nanos.PER_DAY),
                    "daily cap of " + configured.dailyCap() + " reached; it resets at 00:00 UTC");
        }
        long interval = interval(effective.messageRate());
        if (messageTat > now) {
            if (maxWait <= 0 || messageTat - now > maxWait) {
                long at = Math.max(messageTat, parkTat);
                parkTat = at + interval;
                return new WaitUntil(Nanos.instant(at), "message rate " + effective.messageRate());
            }
            long slot = messageTat;
            messageTat = slot + interval;
            sentToday++;
            return new Reserved(Nanos.instant(slot), "message rate " + effective.messageRate());
        }
        messageTat = nextSlot(messageTat, now, interval);
        sentToday++;
        return new Permit(key);
    }

    /**
     * A send whose slot was {@link Reserved} starts now unless the site was suspended meanwhile;
     * then its reservation no longer counts against the daily cap (it will ask again).
     */
    Admission claimReserved(long now) {
        lastActivity = now;
        if (suspendedAt(now)) {
            if (Nanos.day(now) == day && sentToday > 0) {
                sentToday--;
            }
            return new Suspended(Nanos.instant(deadline), reason);
        }
        return new Permit(key);
    }

    Admission openConnection(long now) {
        lastActivity = now;
        if (suspendedAt(now)) {
            return new Suspended(Nanos.instant(deadline), reason);
        }
        if (open >= effective.maxConnections()) {
            return new Busy(open, effective.maxConnections());
        }
        if (connectionTat > now) {
            return new WaitUntil(Nanos.instant(connectionTat), "connection rate " + effective.connectionRate());
        }
        connectionTat = nextSlot(connectionTat, now, interval(effective.connectionRate()));
        open++;
        return new Permit(key);
    }

    void connectionClosed(long now) {
        lastActivity = now;
        open = Math.max(0, open - 1);
    }

    boolean overConnectionLimit() {
        return open > effective.maxConnections();
    }

    void queued(long count, long oldest, long now) {
        queued = Math.max(0, count);
        oldestQueued = queued == 0 ? Nanos.NONE : oldest;
        if (queued > 0) {
            lastActivity = now;
        }
    }

    Optional<SiteEvent> observe(SmtpReply reply, boolean networkFailure, long now, ShapingConfig config) {
        lastActivity = now;
        if (reply == null) {
            if (networkFailure) {
                // No server verdict: the retry policy handles it, backoff rules never see it.
                lastNetworkFailureAt = now;
            }
            return Optional.empty();
        }
        lastReply = reply;
        lastReplyAt = now;
        Optional<BackoffRule> rule = config.rules().match(key.site(), reply);
        if (rule.isEmpty() || suspendedAt(now)) {
            // During a suspension, replies belong to messages started before it: nothing new.
            return Optional.empty();
        }
        BackoffRule r = rule.get();
        String why = "rule " + r.name() + " matched: " + reply;
        if (r.action() instanceof BackoffAction.Suspend s) {
            return Optional.of(suspend(now, Nanos.of(s.duration()), why, false, r.name(), reply));
        }
        return throttle(now, (BackoffAction.Throttle) r.action(), why, r.name(), reply, config);
    }

    private Optional<SiteEvent> throttle(long now, BackoffAction.Throttle t, String why, String rule, SmtpReply reply,
            ShapingConfig config) {
        long ramp = Nanos.of(config.rampInterval());
        boolean coolingDown = lastCutAt != Nanos.NONE && now - lastCutAt < Nanos.of(config.throttleCooldown());
        double newRate = t.scope().cutsRate() ? Math.max(config.minFactor(), rateFactor * t.factor()) : rateFactor;
        double newConn = t.scope().cutsConnections()
                ? Math.max(config.minFactor(), connectionFactor * t.factor()) : connectionFactor;
        if (coolingDown || (newRate == rateFactor && newConn == connectionFactor)) {
            // Not quiet: hold the ramp back, but do not cut again for replies already in flight.
            if (state == State.THROTTLED) {
                deadline = Math.max(deadline, now + ramp);
            }
            return Optional.empty();
        }
        rateFactor = newRate;
        connectionFactor = newConn;
        effective = scaled();
        state = State.THROTTLED;
        deadline = now + ramp;
        lastCutAt = now;
        reason = why;
        return Optional.of(new SiteThrottled(key.site(), key.pool(), reason, rule, reply, effective,
                Nanos.instant(deadline), false));
    }

    SiteEvent suspend(long now, long duration, String why, boolean manual, String rule, SmtpReply reply) {
        lastActivity = now;
        state = State.SUSPENDED;
        deadline = now + duration;
        reason = why;
        return new SiteSuspended(key.site(), key.pool(), reason, rule, reply, effective, Nanos.instant(deadline),
                manual);
    }

    SiteEvent resume(long now, String why) {
        lastActivity = now;
        rateFactor = 1;
        connectionFactor = 1;
        effective = configured;
        state = State.ACTIVE;
        deadline = Nanos.NONE;
        lastCutAt = Nanos.NONE;
        reason = why;
        return new SiteResumed(key.site(), key.pool(), reason, effective, true);
    }

    /**
     * Takes up the condition a site event recorded before this process started (the latest event
     * for the site, replayed from the sites topic): a suspension still running, or a throttle with
     * its reduced limits and next ramp step. Limits are restored as fractions of today's configured
     * limits, so a changed configuration still applies. Returns false when there is nothing to
     * take up (a resumption, or a suspension that has ended at the configured limits).
     */
    boolean restore(SiteEvent event, long now, ShapingConfig config) {
        if (event instanceof SiteResumed) {
            return false;
        }
        double rate = factor(event.limits().messageRate(), configured.messageRate(), config.minFactor());
        double conn = factor(event.limits().connectionRate(), configured.connectionRate(), config.minFactor());
        boolean reduced = rate < 1 || conn < 1;
        if (event instanceof SiteSuspended s && Nanos.of(s.until()) > now) {
            state = State.SUSPENDED;
            deadline = Nanos.of(s.until());
        } else if (event instanceof SiteThrottled t && reduced) {
            state = State.THROTTLED;
            deadline = Nanos.of(t.nextStepAt());
        } else if (reduced) {
            // A suspension that ended while nobody was running: ramp back from its limits now.
            state = State.THROTTLED;
            deadline = now;
        } else {
            return false;
        }
        rateFactor = rate;
        connectionFactor = conn;
        effective = scaled();
        reason = event.reason();
        lastActivity = now;
        return true;
    }

    private static double factor(SiteLimits.Rate now, SiteLimits.Rate configured, double min) {
        double f = now.perSecond() / configured.perSecond();
        return f >= 1 - 1e-9 ? 1 : Math.max(min, f);
    }

    /** Time-driven changes: a suspension's end, one ramp step. */
    Optional<SiteEvent> advance(long now, ShapingConfig config) {
        if (state == State.ACTIVE || now < deadline) {
            return Optional.empty();
        }
        long ramp = Nanos.of(config.rampInterval());
        if (state == State.THROTTLED) {
            rateFactor = rampUp(rateFactor, config.rampStep());
            connectionFactor = rampUp(connectionFactor, config.rampStep());
            effective = scaled();
        }
        if (rateFactor == 1 && connectionFactor == 1) {
            String why = state == State.SUSPENDED ? "suspension ended" : "ramped back to the configured limits";
            effective = configured;
            state = State.ACTIVE;
            deadline = Nanos.NONE;
            reason = why;
            return Optional.of(new SiteResumed(key.site(), key.pool(), reason, effective, false));
        }
        reason = state == State.SUSPENDED
                ? "suspension ended; limits still reduced, ramping back"
                : "ramp step: quiet for " + config.rampInterval().toMinutes() + " min, limits raised";
        state = State.THROTTLED;
        deadline = now + ramp;
        return Optional.of(new SiteThrottled(key.site(), key.pool(), reason, null, null, effective,
                Nanos.instant(deadline), false));
    }

    /** Nothing would be lost by forgetting this site: it would be rebuilt as it is from the config. */
    boolean forgettable(long now, long idleNanos) {
        boolean dailyCountMatters = configured.dailyCap() > 0 && sentToday > 0 && Nanos.day(now) == day;
        return state == State.ACTIVE && open == 0 && queued == 0 && now - lastActivity >= idleNanos
                && !dailyCountMatters;
    }

    /** Could be forgotten under memory pressure, losing only pacing history and today's count. */
    boolean quiet() {
        return state == State.ACTIVE && open == 0 && queued == 0;
    }

    long lastActivity() {
        return lastActivity;
    }

    SiteLimits effective() {
        return effective;
    }

    SiteSnapshot snapshot(long now) {
        long today = Nanos.day(now) == day ? sentToday : 0;
        return new SiteSnapshot(key, state, reason, configured, effective, Nanos.instant(deadline), open, today,
                lastReply, Nanos.instant(lastReplyAt), Nanos.instant(lastNetworkFailureAt), queued,
                Nanos.instant(oldestQueued));
    }

    private boolean suspendedAt(long now) {
        // An expired suspension no longer holds mail back even before tick() records its end.
        return state == State.SUSPENDED && now < deadline;
    }

    private SiteLimits scaled() {
        if (rateFactor == 1 && connectionFactor == 1) {
            return configured;
        }
        return new SiteLimits(Math.max(1, (int) Math.floor(configured.maxConnections() * connectionFactor)),
                configured.connectionRate().times(connectionFactor), configured.messagesPerConnection(),
                configured.messageRate().times(rateFactor), configured.dailyCap());
    }

    /** Additive increase; 0.5 + 4 × 0.1 is 0.9999999999999999 in binary, which must count as back. */
    private static double rampUp(double factor, double step) {
        double next = factor + step;
        return next >= 1 - 1e-9 ? 1 : next;
    }

    /**
     * The slot after one taken at {@code now} when the schedule said {@code tat} (at or before
     * {@code now}). A caller that comes a little late (a timer's millisecond granularity, a busy
     * event loop) keeps the schedule: the next slot is {@code tat + interval}, not
     * {@code now + interval}, or else every bit of lateness would be lost and a site would get
     * less than its rate (5 ms lateness at 200/s is half the rate). After a quiet spell of an
     * interval or more the schedule starts afresh from {@code now}, so no burst builds up:
     * admissions are one interval apart on average, and no interval holds more than two.
     */
    static long nextSlot(long tat, long now, long interval) {
        return (now - tat < interval ? tat : now) + interval;
    }

    private static long interval(SiteLimits.Rate rate) {
        return Math.max(1, Math.round(Nanos.PER_SECOND / rate.perSecond()));
    }
}
