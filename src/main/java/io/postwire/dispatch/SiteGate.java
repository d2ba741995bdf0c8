package io.postwire.dispatch;

import io.postwire.shaping.Admission;
import io.postwire.shaping.SiteKey;
import io.postwire.shaping.SiteShaper;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;

/**
 * Connection slots of one site, the dispatcher's picture of the connections the pooled SMTP
 * clients hold to it. The clients pool connections on their own and expose no hook, so a slot
 * mirrors one: it is opened with {@link SiteShaper#openConnection} (max-connections and the
 * connection rate), carries up to messages-per-connection sends one at a time, is kept while
 * idle for as long as the client keeps an idle connection, and is closed with
 * {@link SiteShaper#connectionClosed}. Sends queue here, first come first served, when every slot
 * is busy, so at most max-connections sends to a site are in the SMTP client at once.
 *
 * <p>Thread-safe: guarded by its own monitor, never held across I/O; grants complete on the
 * waiting send's Vert.x context.
 */
final class SiteGate {

    /** A slot held by one send; release it when the transaction is over. */
    static final class Lease {
        static final Lease NONE = new Lease(null, null);

        private final SiteGate gate;
        private final Slot slot;
        private boolean released;

        private Lease(SiteGate gate, Slot slot) {
            this.gate = gate;
            this.slot = slot;
        }

        /** @param reusable false when the session broke (no reply): the client dropped that connection */
        void release(boolean reusable) {
            if (gate != null && !released) {
                released = true;
                gate.release(slot, reusable);
            }
        }
    }

    private static final class Slot {
        int uses;
        long idleSince;
    }

    private record Waiter(Context context, UniEmitter<? super Lease> emitter, Instant requestedAt) {
    }

    private final SiteKey key;
    private final SiteShaper shaper;
    private final Vertx vertx;
    private final ArrayDeque<Slot> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** Sends waiting here or on an admission timer, by requestedAt (millis) → count. */
    private final TreeMap<Long, Integer> backlog = new TreeMap<>();
    private int busy;
    private boolean timerSet;
    private boolean retired;

    SiteGate(SiteKey key, SiteShaper shaper, Vertx vertx) {
        this.key = key;
        this.shaper = shaper;
        this.vertx = vertx;
    }

    SiteKey key() {
        return key;
    }

    /** A lease once a slot is free; null when this gate was retired meanwhile (take a fresh one). */
    Uni<Lease> acquire(Instant requestedAt) {
        synchronized (this) {
            if (retired) {
                return null;
            }
            busy++; // counted from now on, so that the gate is not retired under a waiter
        }
        return Uni.createFrom().<Lease>emitter(em -> {
            synchronized (this) {
                busy--;
                waiters.add(new Waiter(Vertx.currentContext(), em, requestedAt));
                count(requestedAt, +1);
            }
            serve();
        });
    }

    /** Grants free or new slots to waiters, in order, as far as the shaper allows. */
    private void serve() {
        List<Runnable> grants = new ArrayList<>();
        Instant retryAt = null;
        synchronized (this) {
            while (!waiters.isEmpty()) {
                Slot slot = idle.pollFirst();
                if (slot == null) {
                    Admission a = shaper.openConnection(key);
                    if (a instanceof Admission.Busy) {
                        break; // a release will serve the next waiter
                    }
                    if (a instanceof Admission.WaitUntil w) {
                        retryAt = w.at();
                        break;
                    }
                    if (a instanceof Admission.Suspended s) {
                        retryAt = s.until();
                        break;
                    }
                    slot = new Slot();
                }
                slot.uses++;
                busy++;
                Waiter w = waiters.poll();
                count(w.requestedAt(), -1);
                Lease lease = new Lease(this, slot);
                grants.add(() -> complete(w, lease));
            }
            if (retryAt != null && !timerSet) {
                timerSet = true;
            } else {
                retryAt = null;
            }
        }
        grants.forEach(Runnable::run);
        if (retryAt != null) {
            // Rounded up: a timer that fires early only asks again and sleeps another millisecond.
            long ms = Math.max(1, SiteShaping.ceilMillis(Duration.between(Instant.now(), retryAt)));
            vertx.setTimer(ms, id -> {
                synchronized (this) {
                    timerSet = false;
                }
                serve();
            });
        }
    }

    private static void complete(Waiter w, Lease lease) {
        if (w.context() == null) {
            w.emitter().complete(lease);
        } else {
            w.context().runOnContext(v -> w.emitter().complete(lease));
        }
    }

    private void release(Slot slot, boolean reusable) {
        synchronized (this) {
            busy--;
            boolean spent = slot.uses >= shaper.limits(key).messagesPerConnection();
            if (!reusable || spent || shaper.overConnectionLimit(key)) {
                shaper.connectionClosed(key);
            } else {
                slot.idleSince = System.nanoTime();
                idle.addFirst(slot); // most recently used first, as the client's pool reuses
            }
        }
        serve();
    }

    /** Closes slots idle longer than the client keeps an idle connection. */
    void sweep(long nowNanos, long idleNanos) {
        boolean closed = false;
        synchronized (this) {
            for (Iterator<Slot> it = idle.iterator(); it.hasNext(); ) {
                Slot s = it.next();
                if (nowNanos - s.idleSince >= idleNanos) {
                    it.remove();
                    shaper.connectionClosed(key);
                    closed = true;
                }
            }
        }
        if (closed) {
            serve();
        }
    }

    synchronized void waiting(Instant requestedAt, int delta) {
        count(requestedAt, delta);
    }

    private void count(Instant requestedAt, int delta) {
        backlog.merge(requestedAt.toEpochMilli(), delta, (a, b) -> a + b == 0 ? null : a + b);
    }

    /** Tells the shaper how many sends wait here, for the operator's snapshot. */
    void reportBacklog() {
        long n;
        Instant oldest;
        synchronized (this) {
            n = backlog.values().stream().mapToLong(Integer::longValue).sum();
            oldest = backlog.isEmpty() ? null : Instant.ofEpochMilli(backlog.firstKey());
        }
        shaper.queued(key, n, oldest);
    }

    /** Marks the gate retired when nothing holds or waits for it; the caller then drops it. */
    synchronized boolean retireIfUnused() {
        if (busy == 0 && idle.isEmpty() && waiters.isEmpty() && backlog.isEmpty()) {
            retired = true;
        }
        return retired;
    }
}
