package io.postwire.smtpd;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed AUTH attempts per client IP within a sliding window. An IP with more than the allowed
 * number of failures in the window is blocked until enough of them have aged out. Old entries are
 * dropped by {@link #prune(long)}, which the server runs periodically, so the map cannot grow
 * without bound from addresses that stopped trying.
 */
final class AuthFailures {

    /** Keeps the map bounded even under a flood from very many addresses. */
    static final int MAX_TRACKED_ADDRESSES = 100_000;

    private final int maxFailures;
    private final long windowNanos;
    private final Map<String, ArrayDeque<Long>> failures = new ConcurrentHashMap<>();

    AuthFailures(int maxFailures, long windowNanos) {
        this.maxFailures = maxFailures;
        this.windowNanos = windowNanos;
    }

    /** Records one failure; returns true when the address is now blocked. */
    boolean record(String ip, long nowNanos) {
        if (failures.size() >= MAX_TRACKED_ADDRESSES && !failures.containsKey(ip)) {
            prune(nowNanos);
            if (failures.size() >= MAX_TRACKED_ADDRESSES) {
                return false; // cannot track more; the delay per failure still applies
            }
        }
        ArrayDeque<Long> times = failures.computeIfAbsent(ip, k -> new ArrayDeque<>());
        synchronized (times) {
            expire(times, nowNanos);
            times.addLast(nowNanos);
            if (times.size() > maxFailures + 1) {
                times.removeFirst(); // more than enough to stay blocked; keep the deque small
            }
            return times.size() > maxFailures;
        }
    }

    /** True when the address has more failures than allowed within the window. */
    boolean blocked(String ip, long nowNanos) {
        ArrayDeque<Long> times = failures.get(ip);
        if (times == null) {
            return false;
        }
        synchronized (times) {
            expire(times, nowNanos);
            return times.size() > maxFailures;
        }
    }

    /** Drops addresses whose failures have all aged out. */
    void prune(long nowNanos) {
        Iterator<Map.Entry<String, ArrayDeque<Long>>> it = failures.entrySet().iterator();
        while (it.hasNext()) {
            ArrayDeque<Long> times = it.next().getValue();
            synchronized (times) {
                expire(times, nowNanos);
                if (times.isEmpty()) {
                    it.remove();
                }
            }
        }
    }

    int trackedAddresses() {
        return failures.size();
    }

    private void expire(ArrayDeque<Long> times, long nowNanos) {
        while (!times.isEmpty() && nowNanos - times.peekFirst() >= windowNanos) {
            times.removeFirst();
        }
    }
}
