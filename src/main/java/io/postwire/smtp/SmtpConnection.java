package io.postwire.smtp;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * One TCP connection to an SMTP server and the matching of server replies to the commands sent on
 * it: each {@link #expect(Duration)} claims the next reply in order (which is what RFC 2920
 * pipelining relies on) and is failed by a Vert.x timer if that reply does not come in time.
 *
 * <p>Any network problem, timeout or unparsable input breaks the connection for good: the socket
 * is closed and every waiting reply fails with the same reason. The dialogue itself lives in
 * {@link SessionSetup} and {@link MailTransaction}. All methods run on the connection's event loop.
 */
final class SmtpConnection implements ReplyParser.Listener {

    /** A reply someone is waiting for, and how long it may take once it is next in line. */
    private static final class Waiting {
        final Promise<ServerReply> promise = Promise.promise();
        final long timeoutMs;
        final String awaited;
        long timerId = -1;

        Waiting(long timeoutMs, String awaited) {
            this.timeoutMs = timeoutMs;
            this.awaited = awaited;
        }
    }

    private final Vertx vertx;
    private final RelayTarget target;
    private final NetSocket socket;
    private final ReplyParser parser = new ReplyParser(this);
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

    private String brokenReason;
    private boolean retired;
    private boolean tls;
    private boolean needsReset;
    private int transactions;
    private EhloCapabilities capabilities = EhloCapabilities.NONE;

    private SmtpConnection(Vertx vertx, RelayTarget target, NetSocket socket) {
        this.vertx = vertx;
        this.target = target;
        this.socket = socket;
        socket.handler(parser::feed);
        socket.closeHandler(v -> breakWith("connection closed by " + target.address()));
        socket.exceptionHandler(e -> breakWith("connection error: " + AttemptFailure.reasonOf(e)));
    }

    /** Opens the TCP connection within the target's connect timeout; the greeting is not read. */
    static Future<SmtpConnection> open(Vertx vertx, NetClient client, RelayTarget target) {
        Promise<SmtpConnection> result = Promise.promise();
        long timer = vertx.setTimer(target.connectTimeout().toMillis(), id -> result.tryFail(
                AttemptFailure.network("timeout after " + target.connectTimeout().toMillis()
                        + " ms connecting to " + target.address())));
        client.connect(target.port(), target.host()).onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.failed()) {
                result.tryFail(AttemptFailure.network(
                        "cannot connect to " + target.address() + ": " + AttemptFailure.reasonOf(ar.cause())));
            } else if (!result.tryComplete(new SmtpConnection(vertx, target, ar.result()))) {
                ar.result().close(); // connected after we gave up
            }
        });
        return result.future();
    }

    /** Claims the next server reply; fails on timeout or when the connection breaks. */
    Future<ServerReply> expect(Duration timeout) {
        return expect(timeout, "a reply");
    }

    /**
     * As {@link #expect(Duration)}; {@code awaited} names the reply in the timeout failure (e.g.
     * "the greeting"), so a log tells a server that never greets from one that stalls later.
     */
    Future<ServerReply> expect(Duration timeout, String awaited) {
        if (brokenReason != null) {
            return Future.failedFuture(AttemptFailure.network(brokenReason));
        }
        Waiting w = new Waiting(Math.max(1, timeout.toMillis()), awaited);
        waiting.add(w);
        if (waiting.size() == 1) {
            arm(w);
        }
        return w.promise.future();
    }

    /** Writes command text (CRLF included by the caller); failures surface through replies. */
    void write(String commands) {
        write(Buffer.buffer(commands));
    }

    void write(Buffer bytes) {
        if (brokenReason == null) {
            socket.write(bytes);
        }
    }

    /** Runs the TLS handshake on the open socket (RFC 3207 §4), bounded by the command timeout. */
    Future<Void> upgradeToTls() {
        if (parser.hasPendingInput()) {
            // Plain-text bytes after "220 ready" would be processed as if they came over TLS
            // (the STARTTLS injection attack); a correct server never sends them.
            breakWith("unexpected data after STARTTLS reply");
            return Future.failedFuture(AttemptFailure.network(brokenReason));
        }
        Promise<Void> done = Promise.promise();
        long ms = target.commandTimeout().toMillis();
        long timer = vertx.setTimer(ms, id -> {
            breakWith("TLS handshake timed out after " + ms + " ms");
            done.tryFail(AttemptFailure.network(brokenReason));
        });
        String name = target.expectedCertificateName();
        socket.upgradeToSsl(name).onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.failed()) {
                breakWith("TLS handshake failed: " + AttemptFailure.reasonOf(ar.cause()));
                done.tryFail(AttemptFailure.tls(TlsFailure.ofHandshake(ar.cause()), brokenReason));
            } else if (target.tlsMode() == TlsMode.VERIFIED && !certificateNames(name)) {
                // The chain was trusted; the name is checked here so a mismatch is reported as one.
                breakWith("TLS certificate of " + target.address() + " is not valid for " + name);
                done.tryFail(AttemptFailure.tls(TlsFailure.CERTIFICATE_HOST_MISMATCH, brokenReason));
            } else {
                tls = true;
                done.tryComplete();
            }
        });
        return done.future();
    }

    private boolean certificateNames(String name) {
        try {
            List<Certificate> chain = socket.peerCertificates();
            return !chain.isEmpty() && chain.get(0) instanceof X509Certificate leaf
                    && CertificateNames.matches(leaf, name);
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    /** Sends QUIT when still possible, then closes; completes once the socket is closed. */
    Future<Void> quit() {
        retired = true;
        if (brokenReason != null) {
            return Future.succeededFuture();
        }
        write("QUIT\r\n");
        Duration wait = target.commandTimeout().compareTo(Duration.ofSeconds(10)) < 0
                ? target.commandTimeout() : Duration.ofSeconds(10);
        return expect(wait).transform(ar -> {
            breakWith("connection closed by client");
            return Future.<Void>succeededFuture();
        });
    }

    @Override
    public void reply(ServerReply reply) {
        if (brokenReason != null) {
            return;
        }
        Waiting w = waiting.poll();
        if (w == null) {
            breakWith("unexpected reply from server: " + reply.reply());
            return;
        }
        vertx.cancelTimer(w.timerId);
        if (reply.code() == 421) {
            // RFC 5321 §3.8: 421 means the server is shutting this channel down.
            retired = true;
        }
        Waiting next = waiting.peek();
        if (next != null) {
            arm(next);
        }
        w.promise.complete(reply);
    }

    @Override
    public void malformed(String reason) {
        breakWith("protocol error: " + reason);
    }

    private void arm(Waiting w) {
        w.timerId = vertx.setTimer(w.timeoutMs,
                id -> breakWith("timeout after " + w.timeoutMs + " ms waiting for " + w.awaited + " from "
                        + target.address()));
    }

    private void breakWith(String reason) {
        if (brokenReason != null) {
            return;
        }
        brokenReason = reason;
        retired = true;
        socket.close();
        AttemptFailure failure = AttemptFailure.network(reason);
        Waiting w;
        while ((w = waiting.poll()) != null) {
            vertx.cancelTimer(w.timerId);
            w.promise.tryFail(failure);
        }
    }

    /** Why the connection is unusable, or null while it works. */
    String brokenReason() {
        return brokenReason;
    }

    /** False once broken, after a 421, after QUIT, or when marked by {@link #retire()}. */
    boolean isReusable() {
        return !retired && brokenReason == null;
    }

    void retire() {
        retired = true;
    }

    boolean isTls() {
        return tls;
    }

    EhloCapabilities capabilities() {
        return capabilities;
    }

    void capabilities(EhloCapabilities caps) {
        this.capabilities = caps;
    }

    int transactions() {
        return transactions;
    }

    boolean needsReset() {
        return needsReset;
    }

    /** Records one finished transaction and whether the server still holds envelope state. */
    void transactionDone(boolean leftStateBehind) {
        transactions++;
        needsReset = leftStateBehind;
    }

    /** Clears a failed transaction with RSET (RFC 5321 §4.1.1.5) before the connection is reused. */
    Future<Void> reset() {
        write("RSET\r\n");
        return expect(target.commandTimeout()).compose(r -> {
            if (r.code() != 250) {
                retired = true;
                return Future.failedFuture(AttemptFailure.verdict(r.reply()));
            }
            needsReset = false;
            return Future.succeededFuture();
        });
    }

    RelayTarget target() {
        return target;
    }
}
