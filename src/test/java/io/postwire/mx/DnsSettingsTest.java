package io.postwire.mx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsSettingsTest {

    @Test
    void parsesAServerListWithDefaultPortAndIpv6() {
        DnsSettings settings = DnsSettings.parse(" 127.0.0.1:5353, 10.0.0.2 ,[::1]:53,::2");

        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 5353), new InetSocketAddress("10.0.0.2", 53),
                new InetSocketAddress("::1", 53), new InetSocketAddress("::2", 53)), settings.servers());
        assertEquals(DnsSettings.DEFAULT_QUERY_TIMEOUT, settings.queryTimeout());
        assertEquals(Duration.ofHours(1), settings.maxTtl());
        assertEquals(Duration.ofMinutes(5), settings.negativeTtl());
        assertEquals(100_000, settings.maxCachedDomains());
    }

    @Test
    void blankMeansTheSystemResolvers() {
        assertEquals(ResolvConf.nameservers(DnsSettings.RESOLV_CONF), DnsSettings.parse("  ").servers());
        assertEquals(ResolvConf.nameservers(DnsSettings.RESOLV_CONF), DnsSettings.parse(null).servers());
    }

    @Test
    void rejectsHostNamesBadPortsAndEmptyLists() {
        for (String bad : List.of("dns.example.com", "127.0.0.1:0", "127.0.0.1:99999", "127.0.0.1:x", "[::1", ",")) {
            assertThrows(IllegalArgumentException.class, () -> DnsSettings.parse(bad), bad);
        }
    }

    @Test
    void rejectsNonsenseLimits() {
        List<InetSocketAddress> one = List.of(new InetSocketAddress("127.0.0.1", 53));
        Duration s = Duration.ofSeconds(1);
        assertThrows(IllegalArgumentException.class, () -> new DnsSettings(List.of(), s, s, s, 1));
        assertThrows(IllegalArgumentException.class, () -> new DnsSettings(one, Duration.ZERO, s, s, 1));
        assertThrows(IllegalArgumentException.class, () -> new DnsSettings(one, s, s, s, 0));
        assertThrows(IllegalArgumentException.class, () -> new DnsSettings(one, s, s, Duration.ofSeconds(2), 1));
        DnsSettings ok = new DnsSettings(one, s, s, s, 1);
        assertThrows(IllegalArgumentException.class, () -> ok.withResendAfter(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> ok.withMaxQueriesInFlight(0));
        assertEquals(DnsSettings.DEFAULT_RESEND_AFTER, ok.resendAfter());
        assertEquals(256, ok.maxQueriesInFlight());
    }

    @Test
    void resolvConfNameserversInOrderSkippingWhatCannotBeUsed() {
        List<String> file = List.of("# comment", "search example.com", "nameserver 10.0.0.1",
                "nameserver   2001:db8::1", "nameserver dns.example.com", "options ndots:2", "nameserver 10.0.0.2");

        assertEquals(List.of(new InetSocketAddress("10.0.0.1", 53), new InetSocketAddress("2001:db8::1", 53),
                new InetSocketAddress("10.0.0.2", 53)), ResolvConf.nameservers(file));
        assertEquals(List.of(ResolvConf.FALLBACK), ResolvConf.nameservers(List.of("search x")));
        assertEquals(List.of(ResolvConf.FALLBACK), ResolvConf.nameservers(Path.of("/nonexistent/resolv")));
    }

    @Test
    void domainNamesAreNormalisedToAscii() {
        assertEquals("example.com", DomainName.ascii(" Example.COM. ").orElseThrow());
        assertEquals("xn--bcher-kva.de", DomainName.ascii("bücher.de").orElseThrow());
        assertEquals(java.util.Optional.empty(), DomainName.ascii("a..b"));
        assertEquals(java.util.Optional.empty(), DomainName.ascii(null));
    }
}
