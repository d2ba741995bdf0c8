package io.postwire.mx;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers each domain's {@link MxResult} until its TTL runs out, dropping the least recently
 * used domain when full. Thread-safe: resolves finish on the DNS thread while lookups come from
 * every event loop. One lock is enough: each call is a hash lookup, far cheaper than the
 * network round trip it saves.
 */
final class MxCache {

    private record Entry(MxResult result, Instant expires) {
    }

    private final InstantSource clock;
    private final LinkedHashMap<String, Entry> entries;

    MxCache(int maxDomains, InstantSource clock) {
        this.clock = clock;
        // Access order turns the map into an LRU list; removeEldestEntry bounds it.
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > maxDomains;
            }
        };
    }

    /** The cached result, or null when there is none or it has expired. */
    synchronized MxResult get(String domain) {
        Entry entry = entries.get(domain);
        if (entry == null) {
            return null;
        }
        if (!clock.instant().isBefore(entry.expires())) {
            entries.remove(domain);
            return null;
        }
        return entry.result();
    }

    /** Keeps {@code result} for {@code ttl}; a zero or negative TTL means "do not cache". */
    synchronized void put(String domain, MxResult result, Duration ttl) {
        if (ttl.isZero() || ttl.isNegative()) {
            entries.remove(domain);
            return;
        }
        entries.put(domain, new Entry(result, clock.instant().plus(ttl)));
    }

    synchronized int size() {
        return entries.size();
    }
}
