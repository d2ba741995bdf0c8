package io.postwire.mtasts;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The policies fetched per domain, each kept until its {@code max_age} runs out (RFC 8461 §5.1)
 * and dropped least-recently-used first when full. Thread-safe under one lock: each call is a
 * hash lookup, far cheaper than the DNS query or HTTPS fetch it saves.
 */
final class PolicyCache {

    /**
     * @param id      the TXT record id the policy was fetched under
     * @param checked when DNS last confirmed that id (or the policy was fetched)
     */
    record Entry(String id, StsPolicy policy, Instant expires, Instant checked) {
    }

    private final InstantSource clock;
    private final LinkedHashMap<String, Entry> entries;

    PolicyCache(int maxDomains, InstantSource clock) {
        this.clock = clock;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > maxDomains;
            }
        };
    }

    /** The unexpired policy of {@code domain}, or null. */
    synchronized Entry get(String domain) {
        Entry entry = entries.get(domain);
        if (entry != null && !clock.instant().isBefore(entry.expires())) {
            entries.remove(domain);
            return null;
        }
        return entry;
    }

    /** Keeps a freshly fetched policy for its max_age; max_age 0 means "do not keep". */
    synchronized void put(String domain, String id, StsPolicy policy) {
        Instant now = clock.instant();
        if (policy.maxAge().isZero()) {
            entries.remove(domain);
            return;
        }
        entries.put(domain, new Entry(id, policy, now.plus(policy.maxAge()), now));
    }

    /** DNS still shows the cached id: no need to ask again for a while. */
    synchronized void confirmed(String domain) {
        entries.computeIfPresent(domain, (d, e) -> new Entry(e.id(), e.policy(), e.expires(), clock.instant()));
    }

    /** Whether the entry was confirmed within {@code interval}. */
    boolean fresh(Entry entry, Duration interval) {
        return clock.instant().isBefore(entry.checked().plus(interval));
    }

    synchronized int size() {
        return entries.size();
    }
}
