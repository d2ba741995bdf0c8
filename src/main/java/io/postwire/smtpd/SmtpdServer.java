package io.postwire.smtpd;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * One listening SMTP socket on a Vert.x {@link NetServer}: the protocol engine, with every policy
 * decision delegated to an {@link SmtpdHandler}. It knows nothing about where mail goes.
 *
 * <p>The server counts open sessions (in total and per client IP) and failed AUTHs per IP, and
 * refuses connections over those limits with a 421 at greeting time. Counters go down on every way
 * a connection can end, since they hang off the socket's close event.
 */
public final class SmtpdServer {

    private static final Logger LOG = Logger.getLogger(SmtpdServer.class);

    private final Vertx vertx;
    private final SmtpdOptions options;
    private final SmtpdHandler handler;
    private final AuthFailures authFailures;
    private final Set<SmtpdSession> sessions = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> perIp = new HashMap<>();
    private final AtomicLong largestMessageBuffer = new AtomicLong();
    private final String idPrefix;
    private final AtomicLong sessionCounter = new AtomicLong();
    private int total;
    private NetServer netServer;
    private long pruneTimer = -1;
    private volatile boolean closing;
    private Future<Void> closeFuture;

    private SmtpdServer(Vertx vertx, SmtpdOptions options, SmtpdHandler handler) {
        this.vertx = vertx;
        this.options = options;
        this.handler = handler;
        this.authFailures = new AuthFailures(options.maxAuthFailuresPerIp(), options.authFailureWindow().toNanos());
        this.idPrefix = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36, 36L * 36 * 36 * 36 * 36), 36);
    }

    /** Binds the socket; the future fails if it cannot (port taken, unreadable PEM files). */
    public static Future<SmtpdServer> start(Vertx vertx, SmtpdOptions options, SmtpdHandler handler) {
        Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        SmtpdServer server = new SmtpdServer(vertx, options, handler);
        NetServerOptions net = new NetServerOptions()
                .setHost(options.host())
                .setPort(options.port())
                .setReuseAddress(true)
                .setTcpNoDelay(true)
                .setSslHandshakeTimeout(options.commandTimeout().toMillis())
                .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
        options.tls().ifPresent(tls -> net.setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(tls.certificatePem().toString())
                .setKeyPath(tls.privateKeyPem().toString())));
        // Without implicit TLS the key material is only used by NetSocket.upgradeToSsl (STARTTLS).
        net.setSsl(options.implicitTls());
        NetServer ns = vertx.createNetServer(net);
        ns.connectHandler(server::accept);
        // Failures before a session exists (a plain-text client on an implicit-TLS port, a
        // handshake cut short) concern that client only.
        ns.exceptionHandler(e -> LOG.debugf("SMTP server '%s': connection failed before greeting: %s",
                options.name(), String.valueOf(e)));
        server.netServer = ns;
        return ns.listen().map(s -> {
            long every = Math.max(1000, Math.min(60_000, options.authFailureWindow().toMillis()));
            server.pruneTimer = vertx.setPeriodic(every, t -> server.authFailures.prune(System.nanoTime()));
            LOG.infof("SMTP server '%s' listening on %s:%d (%s%s)", options.name(), options.host(), s.actualPort(),
                    options.implicitTls() ? "implicit TLS" : options.startTlsAvailable() ? "STARTTLS" : "plain text",
                    options.offerAuth() ? ", AUTH" : "");
            return server;
        });
    }

    /** The bound port (the chosen one when the options said 0). */
    public int actualPort() {
        return netServer.actualPort();
    }

    public SmtpdOptions options() {
        return options;
    }

    /**
     * Stops accepting connections; open sessions get {@code 421 4.3.2} and are closed (one that is
     * waiting for {@link SmtpdHandler#deliver} first gets that reply). Completes when all are gone.
     */
    public synchronized Future<Void> close() {
        if (closeFuture != null) {
            return closeFuture;
        }
        closing = true;
        if (pruneTimer != -1) {
            vertx.cancelTimer(pruneTimer);
        }
        // Sessions first: NetServer.close() would drop their sockets without a word. Connections
        // accepted meanwhile are refused with the same 421.
        List<Future<?>> all = new ArrayList<>();
        for (SmtpdSession s : sessions) {
            all.add(s.closedFuture());
            s.shutdown();
        }
        Promise<Void> done = Promise.promise();
        Future.join(all).eventually(v -> netServer.close()).onComplete(ar -> {
            LOG.infof("SMTP server '%s' closed", options.name());
            done.complete();
        });
        closeFuture = done.future();
        return closeFuture;
    }

    /** Open sessions right now (refused connections are not counted). */
    public synchronized int connectionCount() {
        return total;
    }

    /** Open sessions per client IP right now; addresses without one are absent. */
    public synchronized Map<String, Integer> connectionsPerIp() {
        return Map.copyOf(perIp);
    }

    /** The largest buffer any DATA transfer has held so far, in octets: never above the size limit. */
    public long largestMessageBuffer() {
        return largestMessageBuffer.get();
    }

    // ---------------------------------------------------------------- for sessions

    Vertx vertx() {
        return vertx;
    }

    SmtpdHandler handler() {
        return handler;
    }

    boolean authBlocked(String ip) {
        return authFailures.blocked(ip, System.nanoTime());
    }

    /** Records a failed AUTH; true when the address is now over the limit. */
    boolean recordAuthFailure(String ip) {
        return authFailures.record(ip, System.nanoTime());
    }

    void noteMessageBuffer(long bytes) {
        largestMessageBuffer.accumulateAndGet(bytes, Math::max);
    }

    void sessionClosed(SmtpdSession session) {
        sessions.remove(session);
        if (session.counted) {
            release(session.ip());
        }
        LOG.debugf("%s [%s] closed", session.id(), options.name());
    }

    // ---------------------------------------------------------------- accepting

    private void accept(NetSocket socket) {
        InetAddress remote = remoteAddress(socket);
        String id = idPrefix + "-" + Long.toString(sessionCounter.incrementAndGet(), 36);
        if (remote == null) {
            socket.close();
            return;
        }
        SmtpdSession session = new SmtpdSession(this, socket, id, remote);
        if (closing) {
            session.reject(new SmtpdReply(421, "4.3.2", "Service shutting down"));
        } else if (authFailures.blocked(session.ip(), System.nanoTime())) {
            session.reject(new SmtpdReply(421, "4.7.0", "Too many authentication failures, try again later"));
        } else if (!acquire(session.ip())) {
            session.reject(new SmtpdReply(421, "4.7.0", "Too many connections"));
        } else {
            session.counted = true;
            sessions.add(session);
            session.start();
        }
    }

    private synchronized boolean acquire(String ip) {
        int fromIp = perIp.getOrDefault(ip, 0);
        if (total >= options.maxConnections() || fromIp >= options.maxConnectionsPerIp()) {
            return false;
        }
        total++;
        perIp.put(ip, fromIp + 1);
        return true;
    }

    private synchronized void release(String ip) {
        total--;
        perIp.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
    }

    private static InetAddress remoteAddress(NetSocket socket) {
        SocketAddress address = socket.remoteAddress();
        String host = address == null ? null : address.hostAddress();
        if (host == null || host.isEmpty()) {
            return null;
        }
        try {
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int zone = host.indexOf('%');
            if (zone >= 0) {
                host = host.substring(0, zone);
            }
            // An IP literal from the socket: no lookup happens.
            return Cidr.unmapped(InetAddress.getByName(host));
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
