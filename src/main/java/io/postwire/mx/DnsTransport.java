package io.postwire.mx;

import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoop;
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
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

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
 * <p>UDP loses datagrams, most of all our own receive buffer when a burst of new domains brings
 * thousands of replies at once (the benchmark saw 6,672 dropped in one run, each a 5 s timeout and
 * a deferred send). So, as stub resolvers do: a question without a reply after
 * {@link DnsSettings#resendAfter()} is sent to the same server again (then after twice as long,
 * and so on within the server's timeout), and the first reply to any copy counts; the socket asks
 * for a {@value #RECEIVE_BUFFER_BYTES}-byte receive buffer (the kernel caps it at
 * {@code net.core.rmem_max}); and at most {@link DnsSettings#maxQueriesInFlight()} questions
 * await replies at once, the rest wait in a queue, first come first served.
 *
 * <p>All work runs on one dedicated NIO event-loop thread: Netty's resolver must use a channel
 * type that matches its event loop, and Vert.x's loops may be epoll, kqueue or io_uring. The
 * thread only encodes and decodes small packets; the queue and counters are touched only there.
 */
final class DnsTransport implements AutoCloseable {

    static final int RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

    /** One question from the caller, until it has an answer. */
    private record Question(String name, DnsRecordType type, Promise<DnsAnswer> promise) {
    }

    private final List<InetSocketAddress> servers;
    private final long timeoutNanos;
    private final long resendNanos;
    private final int maxInFlight;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final DnsNameResolver resolver;
    private final AtomicInteger preferred = new AtomicInteger();
    /** Questions waiting for a place in flight; only touched on {@link #loop}. */
    private final ArrayDeque<Question> queue = new ArrayDeque<>();
    private int inFlight;
    private boolean draining;

    DnsTransport(DnsSettings settings) {
        this.servers = settings.servers();
        this.timeoutNanos = settings.queryTimeout().toNanos();
        this.resendNanos = settings.resendAfter().toNanos();
        this.maxInFlight = settings.maxQueriesInFlight();
        this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("postwire-dns", true));
        this.loop = group.next();
        this.resolver = new DnsNameResolverBuilder(loop)
                // Constructor references, not channel classes: Netty would create those by
                // reflection, which a native image must have registered.
                .datagramChannelFactory(DnsTransport::datagramChannel)
                .socketChannelFactory(NioSocketChannel::new) // TCP when a UDP reply is truncated
                .queryTimeoutMillis(settings.queryTimeout().toMillis())
                .recursionDesired(true)
                .nameServerProvider(new SequentialDnsServerAddressStreamProvider(servers))
                .resolveCache(NoopDnsCache.INSTANCE)
                .cnameCache(NoopDnsCnameCache.INSTANCE)
                .authoritativeDnsServerCache(NoopAuthoritativeDnsServerCache.INSTANCE)
                .build();
    }

    private static NioDatagramChannel datagramChannel() {
        NioDatagramChannel channel = new NioDatagramChannel();
        channel.config().setReceiveBufferSize(RECEIVE_BUFFER_BYTES);
        return channel;
    }

    /**
     * Asks for {@code type} records of {@code name}. Never fails: when no server answers, the
     * result is a {@link DnsAnswer.Status#FAILED} answer saying why. Completes on the DNS thread.
     */
    Future<DnsAnswer> query(String name, DnsRecordType type) {
        Promise<DnsAnswer> promise = Promise.promise();
        Question q = new Question(name, type, promise);
        try {
            loop.execute(() -> enqueue(q));
        } catch (RejectedExecutionException e) {
            promise.complete(DnsAnswer.failed(type.name() + " " + name + ": resolver closed"));
        }
        return promise.future();
    }

    private void enqueue(Question q) {
        queue.add(q);
        startQueued();
    }

    private void startQueued() {
        if (draining) {
            return; // a question that failed at once, inside the loop below: the loop goes on
        }
        draining = true;
        try {
            while (inFlight < maxInFlight && !queue.isEmpty()) {
                Question q = queue.poll();
                inFlight++;
                ask(q, preferred.get(), 0, new StringBuilder());
            }
        } finally {
            draining = false;
        }
    }

    private void finish(Question q, DnsAnswer answer) {
        inFlight--;
        startQueued();
        q.promise().complete(answer);
    }

    /** Asks the {@code tried}-th server from {@code first}, or gives up when all were asked. */
    private void ask(Question q, int first, int tried, StringBuilder failures) {
        if (tried == servers.size()) {
            finish(q, DnsAnswer.failed(q.type().name() + " " + q.name() + ": " + failures));
            return;
        }
        int index = (first + tried) % servers.size();
        InetSocketAddress server = servers.get(index);
        new Attempt(q, server, answer -> {
            if (answer.status() != DnsAnswer.Status.FAILED) {
                preferred.set(index);
                finish(q, answer);
                return;
            }
            failures.append(failures.length() == 0 ? "" : "; ").append(server.getAddress().getHostAddress())
                    .append(':').append(server.getPort()).append(' ').append(answer.failure());
            ask(q, first, tried + 1, failures);
        }).send();
    }

    /**
     * One question to one server: the query and its resends, each a query of its own id, so a late
     * reply to an earlier copy still counts. Ends with the first reply to any copy, or when the
     * first copy times out (the server's whole {@code queryTimeout}); the rest are then cancelled.
     * Lives on the DNS thread only.
     */
    private final class Attempt {
        private final Question q;
        private final InetSocketAddress server;
        private final Consumer<DnsAnswer> done;
        private final List<io.netty.util.concurrent.Future<?>> copies = new ArrayList<>(3);
        private ScheduledFuture<?> nextResend;
        private long sinceFirst;
        private long gap = resendNanos;
        private boolean over;

        Attempt(Question q, InetSocketAddress server, Consumer<DnsAnswer> done) {
            this.q = q;
            this.server = server;
            this.done = done;
        }

        void send() {
            boolean original = copies.isEmpty();
            io.netty.util.concurrent.Future<AddressedEnvelope<DnsResponse, InetSocketAddress>> copy =
                    resolver.query(server, new DefaultDnsQuestion(q.name(), q.type()));
            copies.add(copy);
            copy.addListener(f -> replied(copy, original));
            if (!over && sinceFirst + gap < timeoutNanos) {
                sinceFirst += gap;
                nextResend = loop.schedule(this::resend, gap, TimeUnit.NANOSECONDS);
                gap *= 2;
            }
        }

        private void resend() {
            if (!over) {
                send();
            }
        }

        private void replied(io.netty.util.concurrent.Future<AddressedEnvelope<DnsResponse, InetSocketAddress>> copy,
                boolean original) {
            if (over) {
                release(copy);
                return;
            }
            DnsAnswer answer;
            if (copy.isSuccess()) {
                AddressedEnvelope<DnsResponse, InetSocketAddress> envelope = copy.getNow();
                try {
                    answer = DnsResponseReader.read(envelope.content(), q.name(), q.type());
                } catch (RuntimeException e) {
                    answer = DnsAnswer.failed("unreadable reply: " + e.getMessage());
                } finally {
                    envelope.release();
                }
            } else if (!original && copy.cause() instanceof DnsNameResolverTimeoutException) {
                return; // a resend's own timeout ends after the server's window: only the first copy's counts
            } else {
                answer = DnsAnswer.failed(copy.cause() instanceof DnsNameResolverTimeoutException
                        ? "timeout" : String.valueOf(copy.cause()));
            }
            over = true;
            if (nextResend != null) {
                nextResend.cancel(false);
            }
            for (io.netty.util.concurrent.Future<?> other : copies) {
                if (other != copy) {
                    other.cancel(false); // frees its query id; Netty drops a reply that still comes
                }
            }
            done.accept(answer);
        }

        private void release(io.netty.util.concurrent.Future<AddressedEnvelope<DnsResponse, InetSocketAddress>> copy) {
            if (copy.isSuccess()) {
                copy.getNow().release();
            }
        }
    }

    @Override
    public void close() {
        try {
            loop.execute(() -> {
                for (Question q = queue.poll(); q != null; q = queue.poll()) {
                    q.promise().complete(DnsAnswer.failed(q.type().name() + " " + q.name() + ": resolver closed"));
                }
            });
        } catch (RejectedExecutionException e) {
            // closed already
        }
        resolver.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
