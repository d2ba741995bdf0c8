package io.postwire.dispatch;

import io.postwire.smtp.RelayTarget;
import io.postwire.smtp.SmtpClient;
import io.postwire.smtp.TlsMode;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * One pooled {@link SmtpClient} per mail exchanger address, port and TLS policy, made on first use
 * and closed once unused for {@code eviction}, so that mail to 10,000 sites does not keep 10,000
 * pools (each with its NetClient and idle connections) alive.
 */
@ApplicationScoped
public class MxClients {

    private static final Logger LOG = Logger.getLogger(MxClients.class);

    /** What a pool is for: the address we connect to and how TLS must go there. */
    /** One pool per exchanger address and way of talking to it, including the local address we leave from. */
    record Key(String address, int port, TlsMode tls, Optional<String> certificateName, Optional<String> sourceAddress,
            String heloName) {
    }

    private static final class Entry {
        final SmtpClient client;
        int inUse;
        long lastUsed;

        Entry(SmtpClient client, long now) {
            this.client = client;
            this.lastUsed = now;
        }
    }

    private final Vertx vertx;
    private final long evictionNanos;
    private final Map<Key, Entry> clients = new ConcurrentHashMap<>();
    private volatile long sweeper = -1;

    MxClients(Vertx vertx, MxConfig config) {
        this.vertx = vertx;
        this.evictionNanos = config.clientEviction().toNanos();
    }

    /**
     * Borrows the client for a key, making it with {@code target} the first time. Each borrow must be
     * matched by {@link #release}, which is what keeps a busy client from being evicted.
     */
    SmtpClient borrow(Key key, Function<Key, RelayTarget> target) {
        if (sweeper < 0) {
            startSweeper();
        }
        Entry e = clients.compute(key, (k, old) -> {
            Entry entry = old != null ? old : new Entry(new SmtpClient(vertx, target.apply(k)), System.nanoTime());
            entry.inUse++;
            return entry;
        });
        return e.client;
    }

    void release(Key key) {
        clients.computeIfPresent(key, (k, e) -> {
            e.inUse--;
            e.lastUsed = System.nanoTime();
            return e;
        });
    }

    /** Closes the clients nobody has used for the eviction time; called periodically. */
    int evictIdle() {
        long now = System.nanoTime();
        int[] evicted = {0};
        clients.forEach((key, entry) -> clients.computeIfPresent(key, (k, e) -> {
            if (e.inUse == 0 && now - e.lastUsed >= evictionNanos) {
                e.client.close().subscribe().with(x -> { }, f -> LOG.debugf("closing %s: %s", k, f));
                evicted[0]++;
                return null;
            }
            return e;
        }));
        return evicted[0];
    }

    private synchronized void startSweeper() {
        if (sweeper < 0) {
            long every = Math.max(1000, Math.min(60_000, evictionNanos / 1_000_000 / 2));
            sweeper = vertx.setPeriodic(every, id -> evictIdle());
        }
    }

    int size() {
        return clients.size();
    }

    void close(@Observes ShutdownEvent event) {
        if (sweeper >= 0) {
            vertx.cancelTimer(sweeper);
        }
        clients.values().forEach(e -> e.client.close().subscribe().with(x -> { }, f -> { }));
        clients.clear();
    }
}
