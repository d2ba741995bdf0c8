package io.postwire.mx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.testsupport.dns.Dnsmasq;
import io.postwire.testsupport.dns.TestDnsServer;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link MxResolver} against a real dnsmasq over UDP: answers from an independent DNS
 * implementation, with the name compression real servers use in MX data.
 */
class MxResolverDnsmasqTest {

    private static Vertx vertx;
    private static Dnsmasq dnsmasq;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        dnsmasq = Dnsmasq.start(List.of(
                "--local=/test/", // authoritative for .test: unknown names are NXDOMAIN
                "--local-ttl=60",
                "--mx-host=pw.test,mx2.pw.test,20",
                "--mx-host=pw.test,mx1.pw.test,10",
                "--host-record=mx1.pw.test,127.0.0.11,::11",
                "--host-record=mx2.pw.test,127.0.0.12",
                "--host-record=bare.test,127.0.0.13,::13",
                "--txt-record=txt-only.test,v=spf1 -all"));
    }

    @AfterAll
    static void stop() throws Exception {
        dnsmasq.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void mxHostsInPreferenceOrderWithAAndAaaa() throws Exception {
        try (MxResolver resolver = resolver()) {
            MxResult.Hosts result = assertInstanceOf(MxResult.Hosts.class, resolve(resolver, "pw.test"));

            assertEquals(List.of(
                    new MxHost("mx1.pw.test", 10, List.of(ip("127.0.0.11"), ip("::11"))),
                    new MxHost("mx2.pw.test", 20, List.of(ip("127.0.0.12")))), result.hosts());
        }
    }

    @Test
    void implicitMxFromTheDomainsOwnAddresses() throws Exception {
        try (MxResolver resolver = resolver()) {
            MxResult.Hosts result = assertInstanceOf(MxResult.Hosts.class, resolve(resolver, "bare.test"));

            assertTrue(result.implicit());
            assertEquals(List.of("bare.test"), result.hosts().stream().map(MxHost::name).collect(Collectors.toList()));
            assertEquals(List.of(ip("127.0.0.13"), ip("::13")), result.hosts().get(0).addresses());
        }
    }

    @Test
    void nxdomainAndNodata() throws Exception {
        try (MxResolver resolver = resolver()) {
            assertInstanceOf(MxResult.NoSuchDomain.class, resolve(resolver, "no-such-name.test"));
            assertInstanceOf(MxResult.Unroutable.class, resolve(resolver, "txt-only.test"));
        }
    }

    @Test
    void fallsBackToDnsmasqWhenTheFirstServerIsSilent() throws Exception {
        try (TestDnsServer silent = TestDnsServer.start().silent(true);
                MxResolver resolver = new MxResolver(vertx, new DnsSettings(
                        List.of(silent.address(), dnsmasq.address()), Duration.ofMillis(300), Duration.ofHours(1),
                        Duration.ofMinutes(5), 100))) {
            MxResult.Hosts result = assertInstanceOf(MxResult.Hosts.class, resolve(resolver, "pw.test"));

            assertEquals("mx1.pw.test", result.hosts().get(0).name());
            assertEquals(1, silent.queries("pw.test", "MX"));
        }
    }

    @Test
    void configuredFromAServerList() throws Exception {
        String servers = "127.0.0.1:" + dnsmasq.address().getPort();
        try (MxResolver resolver = new MxResolver(vertx, DnsSettings.parse(servers))) {
            assertInstanceOf(MxResult.Hosts.class, resolve(resolver, "pw.test"));
        }
    }

    private static MxResolver resolver() {
        return new MxResolver(vertx, new DnsSettings(List.of(dnsmasq.address()), Duration.ofSeconds(2),
                Duration.ofHours(1), Duration.ofMinutes(5), 100));
    }

    private static MxResult resolve(MxResolver resolver, String domain) throws Exception {
        return resolver.resolve(domain).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }
}
