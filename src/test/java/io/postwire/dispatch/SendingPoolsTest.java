package io.postwire.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.event.SendRequested;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which pool a send leaves from: sender domain first, then tags, else the default pool. */
class SendingPoolsTest {

    record Pool(Optional<String> sourceAddress, Optional<String> heloName, Optional<List<String>> senderDomains,
            Optional<List<String>> tags) implements PoolsConfig.Pool {
    }

    private static Pool pool(String address, List<String> domains, List<String> tags) {
        return new Pool(Optional.ofNullable(address), Optional.empty(), Optional.ofNullable(domains),
                Optional.ofNullable(tags));
    }

    private final SendingPools pools = new SendingPools(Map.of(
            "Transactional", pool("192.0.2.10", List.of("Shop.example"), null),
            "bulk", pool("192.0.2.20", null, List.of("marketing", "newsletter")),
            "default", pool("192.0.2.1", null, null)));

    @Test
    void theSenderDomainChoosesFirstThenATagThenTheDefault() {
        SendingPools.Pool p = pools.forSend(send("orders@shop.example", List.of("marketing")));
        assertEquals("transactional", p.name(), "sender domain wins over the tag; names are lower-cased");
        assertEquals(Optional.of("192.0.2.10"), p.sourceAddress());
        assertEquals("bulk", pools.forSend(send("news@other.example", List.of("Newsletter"))).name());
        SendingPools.Pool d = pools.forSend(send("a@other.example", List.of()));
        assertEquals("default", d.name());
        assertEquals(Optional.of("192.0.2.1"), d.sourceAddress(), "the default pool may have an address too");
    }

    @Test
    void withoutPoolsEverythingUsesTheDefaultPoolAndTheKernelsAddress() {
        SendingPools none = new SendingPools(Map.of());
        SendingPools.Pool p = none.forSend(send("a@shop.example", List.of("marketing")));
        assertEquals("default", p.name());
        assertTrue(p.sourceAddress().isEmpty());
    }

    @Test
    void aSourceAddressMustBeAnIpLiteral() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SendingPools(Map.of("x", pool("mail.example.com", List.of("a.example"), null))));
        assertTrue(e.getMessage().contains("postwire.pools.x.source-address"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new SendingPools(Map.of("x", pool("999.1.1.1", List.of("a.example"), null))));
        assertEquals(Optional.of("0:0:0:0:0:0:0:1"), new SendingPools(Map.of("v6", pool("::1", List.of("a.example"),
                null))).forSend(send("x@a.example", List.of())).sourceAddress(), "IPv6 literals too");
    }

    private static SendRequested send(String from, List<String> tags) {
        String id = UUID.randomUUID().toString();
        return new SendRequested(id, id + ".1", from, "r@dest.example", null, List.of("r@dest.example"), null,
                "s", "t", null, null, Map.of(), tags, null, Instant.now(), null, null);
    }
}
