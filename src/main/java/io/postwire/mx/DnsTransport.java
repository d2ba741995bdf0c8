package io.postwire.mx;

import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsNameResolverTimeoutException;
import io.netty.resolver.dns.NoopAuthoritativeDnsServerCache;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Asks recursive DNS servers one question at a time, without blocking, and decodes the answer.
 *
 * <p>Built on Netty's {@link DnsNameResolver} used as a bare query client: Vert.x's own
 * {@code DnsClient} hides record TTLs and the authority section, which a TTL-respecting cache and
 * RFC 2308 negative caching need (see docs/dependencies.md). Netty matches replies to queries by
 * id and source, retries a truncated UDP reply over TCP, and times queries out; Netty's caches are
 * switched off because {@link MxCache} is the one cache.
 *
 * <p>Servers are tried in order, starting with the last one that answered, so a dead first
 * server costs one timeout once rather than on every query. A timeout, SERVFAIL, REFUSED or an
 * unreadable reply moves on to the next server; NOERROR and NXDOMAIN are final.
 *
 * <p>All work runs on one dedicated NIO event-loop thread: Netty's resolver must use a channel
 * type that matches its event loop, and Vert.x's loops may be epoll, kqueue or io_uring. The
 * thread only encodes and decodes small packets.
 */
final class DnsTransport implements AutoCloseable {

    private final List<InetSocketAddress> servers;
    private final EventLoopGroup group;
    private final DnsNameResolver resolver;
    private final AtomicInteger preferred = new AtomicInteger();

    DnsTransport(DnsSettings settings) {
        this.servers = settings.servers();
        this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("postwire-dns", true));
        this.resolver = new DnsNameResolverBuilder(group.next())
                // Constructor references, not channel classes: Netty would create those by
                // reflection, which a native image must have registered.
                .datagramChannelFactory(NioDatagramChannel::new)
                .socketChannelFactory(NioSocketChannel::new) // TCP when a UDP reply is truncated
                .queryTimeoutMillis(settings.queryTimeout().toMillis())
                .recursionDesired(true)
                .nameServerProvider(new SequentialDnsServerAddressStreamProvider(servers))
                .resolveCache(NoopDnsCache.INSTANCE)
                .cnameCache(NoopDnsCnameCache.INSTANCE)
                .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE)
                .build();
    }

    /**
     * Asks for {@code type} records of {@code name}. Never fails: when no server answers, the
     * result is a {@link DnsAnswer.Status#FAILED} answer saying why. Completes on the DNS thread.
     */
    Future<DnsAnswer> query(String name, DnsRecordType type) {
        Promise<DnsAnswer> promise = Promise.promise();
        ask(name, type, preferred.get(), 0, new StringBuilder(), promise);
        return promise.future();
    }

    private void ask(String name, DnsRecordType type, int first, int tried, StringBuilder failures,
            Promise<DnsAnswer> promise) {
        if (tried == servers.size()) {
            promise.complete(DnsAnswer.failed(type.name() + " " + name + ": " + failures));
            return;
        }
        int index = (first + tried) % servers.size();
        InetSocketAddress server = servers.get(index);
        resolver.query(server, new DefaultDnsQuestion(name, type)).addListener(done -> {
            DnsAnswer answer;
            if (done.isSuccess()) {
                @SuppressWarnings("unchecked")
                AddressedEnvelope<DnsResponse, InetSocketAddress> envelope =
                        (AddressedEnvelope<DnsResponse, InetSocketAddress>) done.getNow();
                try {
                    answer = DnsResponseReader.read(envelope.content(), name, type);
                } catch (RuntimeException e) {
                    answer = DnsAnswer.failed("unreadable reply: " + e.getMessage());
                } finally {
                    envelope.release();
                }
            } else {
                answer = DnsAnswer.failed(done.cause() instanceof DnsNameResolverTimeoutException
                        ? "timeout" : String.valueOf(done.cause()));
            }
            if (answer.status() != DnsAnswer.Status.FAILED) {
                preferred.set(index);
                promise.complete(answer);
                return;
            }
            failures.append(failures.length() == 0 ? "" : "; ").append(server.getAddress().getHostAddress())
                    .append(':').append(server.getPort()).append(' ').append(answer.failure());
            ask(name, type, first, tried + 1, failures, promise);
        });
    }

    @Override
    public void close() {
        resolver.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
