package io.postwire.smtp;

import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.util.Objects;

/**
 * Relays pre-built RFC 5322 messages byte for byte to one {@link RelayTarget} and reports the
 * server's verdict per recipient. Written by hand because vertx-mail-client can neither send a
 * raw message unchanged (we DKIM-sign before handing it over) nor report per-recipient replies.
 *
 * <p>Thread-safe: {@link #send} may be called from any thread. All protocol work runs on one
 * Vert.x event-loop context owned by this client (the root of the caller's context when
 * constructed on one), so the pool and its connections need no locks; nothing here blocks. Each
 * send's Uni completes back on the context it was subscribed on.
 *
 * <p>{@code send} never fails for delivery outcomes: refusals, timeouts and network errors all
 * come back as {@link RecipientResult}s. A failed Uni means a bug.
 */
public final class SmtpClient {

    private final RelayTarget target;
    private final Context context;
    private final NetClient netClient;
    private final SmtpConnectionPool pool;

    public SmtpClient(Vertx vertx, RelayTarget target) {
        this.target = Objects.requireNonNull(target, "target");
        // Never a duplicated context: the client is shared, and a duplicate belongs to the one
        // request or record that happened to create it (its local data, its lifetime).
        this.context = VertxContext.getRootContext(Objects.requireNonNull(vertx, "vertx").getOrCreateContext());
        this.netClient = vertx.createNetClient(netOptions(target));
        this.pool = new SmtpConnectionPool(vertx, netClient, target);
    }

    /**
     * Sends one message in one transaction.
     *
     * @param message the complete message with CRLF line endings; it is dot-stuffed on the way
     *                out but otherwise sent unchanged
     */
    public Uni<SmtpResult> send(SmtpEnvelope envelope, Buffer message) {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(message, "message");
        return Uni.createFrom().emitter(emitter -> {
            FramedMessage framed = FramedMessage.frame(message);
            Context caller = Vertx.currentContext();
            context.runOnContext(v -> pool.send(envelope, framed)
                    .onComplete(ar -> completeOn(caller, emitter, ar.result(), ar.cause())));
        });
    }

    /**
     * Hands the result back on the subscriber's own context. Completing on the client's context
     * would run every caller's continuation on one shared context (another record's duplicate
     * when the client was made on one, with that record's context-local state), and would run it
     * synchronously inside the pool's reply handling, before the connection is settled.
     */
    private void completeOn(Context caller, UniEmitter<? super SmtpResult> emitter, SmtpResult result,
            Throwable failure) {
        Runnable complete = () -> {
            if (failure == null) {
                emitter.complete(result);
            } else {
                emitter.fail(failure);
            }
        };
        if (caller == null) {
            complete.run(); // not subscribed on Vert.x: any thread will do
        } else {
            caller.runOnContext(v -> complete.run());
        }
    }

    /** Stops accepting sends, lets running transactions finish, closes every connection. */
    public Uni<Void> close() {
        return Uni.createFrom().emitter(emitter -> context.runOnContext(v -> pool.close()
                .compose(done -> netClient.close())
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        emitter.complete(null);
                    } else {
                        emitter.fail(ar.cause());
                    }
                })));
    }

    public RelayTarget target() {
        return target;
    }

    /** Connections open, being opened or being closed right now; lets tests prove none leaked. */
    Uni<Integer> liveConnections() {
        return Uni.createFrom().emitter(emitter -> context.runOnContext(v -> emitter.complete(pool.live())));
    }

    private static NetClientOptions netOptions(RelayTarget target) {
        // Plain TCP first; the SSL settings are used by NetSocket.upgradeToSsl after STARTTLS.
        NetClientOptions options = new NetClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, target.connectTimeout().toMillis()))
                .setSsl(false);
        if (target.trustAllCertificates()) {
            options.setTrustAll(true).setHostnameVerificationAlgorithm("");
        } else if (target.tlsMode() == TlsMode.VERIFIED) {
            // The chain is checked by the trust manager; the name by SmtpConnection after the
            // handshake, against the MX host name, so that a mismatch is reported as such.
            options.setHostnameVerificationAlgorithm("");
        } else {
            // Default JDK trust store, and the certificate must name the host we connected to.
            options.setHostnameVerificationAlgorithm("HTTPS");
        }
        target.trust().ifPresent(options::setTrustOptions);
        target.sourceAddress().ifPresent(options::setLocalAddress);
        return options;
    }
}
