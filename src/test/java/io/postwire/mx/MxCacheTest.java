package io.postwire.mx;

import io.postwire.testsupport.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MxCacheTest {

    private final MutableClock clock = new MutableClock();
    private final MxResult result = new MxResult.NullMx();

    @Test
    void anEntryLivesForItsTtl() {
        MxCache cache = new MxCache(10, clock);
        cache.put("a.test", result, Duration.ofSeconds(30));

        clock.advance(Duration.ofSeconds(29));
        assertEquals(result, cache.get("a.test"));
        clock.advance(Duration.ofSeconds(1));
        assertNull(cache.get("a.test"));
        assertEquals(0, cache.size(), "an expired entry is dropped when seen");
    }

    @Test
    void aZeroTtlIsNotCachedAndForgetsTheOldEntry() {
        MxCache cache = new MxCache(10, clock);
        cache.put("a.test", result, Duration.ofSeconds(30));
        cache.put("a.test", new MxResult.TemporaryFailure("x"), Duration.ZERO);
        assertNull(cache.get("a.test"));
    }

    @Test
    void theLeastRecentlyUsedDomainGoesFirst() {
        MxCache cache = new MxCache(3, clock);
        for (String domain : new String[] {"a", "b", "c"}) {
            cache.put(domain, result, Duration.ofMinutes(1));
        }
        cache.get("a");
        cache.put("d", result, Duration.ofMinutes(1));

        assertEquals(3, cache.size());
        assertNull(cache.get("b"));
        assertEquals(result, cache.get("a"));
        assertEquals(result, cache.get("c"));
        assertEquals(result, cache.get("d"));
    }
}
