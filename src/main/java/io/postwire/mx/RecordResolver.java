package io.postwire.mx;

import io.netty.handler.codec.dns.DnsRecordType;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Asks the same DNS servers as {@link MxResolver} for what mail policies need besides MX: the TXT
 * records of a name (e.g. {@code _mta-sts.example.com}) and the addresses of a web host (e.g.
 * {@code mta-sts.example.com}). Going through {@link DnsSettings} rather than the JVM or Vert.x
 * resolver keeps every lookup of a delivery on one configured set of servers.
 *
 * <p>Nothing is cached here: the caller caches what it derives (a parsed policy), which is what
 * has a lifetime worth keeping. Thread-safe; futures complete on the caller's Vert.x context (or an
 * event-loop context), never on the DNS thread. Call {@link #close()} when done.
 */
public final class RecordResolver implements AutoCloseable {

    private final Vertx vertx;
    private final DnsTransport transport;

    public RecordResolver(Vertx vertx, DnsSettings settings) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.transport = new DnsTransport(Objects.requireNonNull(settings, "settings"));
    }

    /** The TXT records of {@code name} (ASCII, trailing dot optional). Never fails. */
    public Future<TxtResult> resolveTxt(String name) {
        return onCaller(transport.query(name, DnsRecordType.TXT).map(answer -> {
            switch (answer.status()) {
                case ANSWERED:
                    return new TxtResult.Found(answer.txt());
                case NO_SUCH_NAME:
                    return new TxtResult.NoSuchName();
                default:
                    return new TxtResult.Failed(answer.failure());
            }
        }));
    }

    /**
     * The IPv4 then IPv6 addresses of {@code host}, following CNAMEs; empty when it has none.
     * Fails only when neither query got a usable answer and no address was found.
     */
    public Future<List<InetAddress>> resolveAddresses(String host) {
        Future<DnsAnswer> v4 = transport.query(host, DnsRecordType.A);
        Future<DnsAnswer> v6 = transport.query(host, DnsRecordType.AAAA);
        return onCaller(Future.join(v4, v6).compose(both -> {
            List<InetAddress> addresses = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            for (DnsAnswer answer : List.of(v4.result(), v6.result())) {
                if (answer.status() == DnsAnswer.Status.FAILED) {
                    failures.add(answer.failure());
                }
                answer.addresses().forEach(record -> addresses.add(record.address()));
            }
            return addresses.isEmpty() && !failures.isEmpty()
                    ? Future.failedFuture("no address for " + host + ": " + String.join("; ", failures))
                    : Future.succeededFuture(List.copyOf(addresses));
        }));
    }

    private <T> Future<T> onCaller(Future<T> onDnsThread) {
        Context caller = Vertx.currentContext() != null ? Vertx.currentContext() : vertx.getOrCreateContext();
        Promise<T> result = Promise.promise();
        onDnsThread.onComplete(done -> caller.runOnContext(v -> result.handle(done)));
        return result.future();
    }

    @Override
    public void close() {
        transport.close();
    }
}
