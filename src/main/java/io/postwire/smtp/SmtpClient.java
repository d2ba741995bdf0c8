package io.postwire.smtp;

import io.smallrye.mutiny.Uni;
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
 * Vert.x event-loop context owned by this client (the caller's context when constructed on one),
 * so the pool and its connections need no locks; nothing here blocks.
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
        this.context = Objects.requireNonNull(vertx, "vertx").getOrCreateContext();
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
            context.runOnContext(v -> pool.send(envelope, framed).onComplete(ar -> {
                if (ar.succeeded()) {
                    emitter.complete(ar.result());
                } else {
                    emitter.fail(ar.cause());
                }
            }));
        });
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

    private static NetClientOptions netOptions(RelayTarget target) {
        // Plain TCP first; the SSL settings are used by NetSocket.upgradeToSsl after STARTTLS.
        NetClientOptions options = new NetClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, target.connectTimeout().toMillis()))
                .setSsl(false);
        if (target.trustAllCertificates()) {
            options.setTrustAll(true).setHostnameVerificationAlgorithm("");
        } else {
            // Default JDK trust store, and the certificate must name the host we connected to.
            options.setHostnameVerificationAlgorithm("HTTPS");
        }
        return options;
    }
}
