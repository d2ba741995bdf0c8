package io.postwire.smtpd;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The policy the engine tests run against: user {@code alice} with password {@code secret};
 * senders only from {@code example.test} (else 553 5.7.1) or the null sender; recipient
 * {@code nobody@example.test} refused with 550 5.1.1; every delivered transaction recorded. It can
 * be told to fail deliveries (451), to answer them late, or to never answer.
 */
final class RecordingHandler implements SmtpdHandler {

    enum DeliverMode { ACCEPT, FAIL, THROW, HANG }

    final List<MailTransaction> delivered = new CopyOnWriteArrayList<>();
    final List<SessionInfo> deliveredSessions = new CopyOnWriteArrayList<>();
    final AtomicInteger authCalls = new AtomicInteger();
    final AtomicInteger deliverCalls = new AtomicInteger();
    final AtomicReference<DeliverMode> deliverMode = new AtomicReference<>(DeliverMode.ACCEPT);
    private final Vertx vertx;
    private volatile long deliverDelayMs;

    RecordingHandler(Vertx vertx) {
        this.vertx = vertx;
    }

    void deliverDelay(long ms) {
        deliverDelayMs = ms;
    }

    @Override
    public Future<Boolean> authenticate(SessionInfo session, String username, String password) {
        authCalls.incrementAndGet();
        return Future.succeededFuture("alice".equals(username) && "secret".equals(password));
    }

    @Override
    public SmtpdReply checkSender(SessionInfo session, String reversePath) {
        if (reversePath.isEmpty() || reversePath.toLowerCase(java.util.Locale.ROOT).endsWith("@example.test")) {
            return null;
        }
        return new SmtpdReply(553, "5.7.1", "Sender domain not allowed");
    }

    @Override
    public SmtpdReply checkRecipient(SessionInfo session, String reversePath, String recipient) {
        return "nobody@example.test".equalsIgnoreCase(recipient)
                ? new SmtpdReply(550, "5.1.1", "No such user") : null;
    }

    @Override
    public Future<SmtpdReply> deliver(SessionInfo session, MailTransaction transaction) {
        deliverCalls.incrementAndGet();
        switch (deliverMode.get()) {
            case FAIL:
                return Future.failedFuture(new IllegalStateException("storage is down"));
            case THROW:
                throw new IllegalStateException("handler bug");
            case HANG:
                return Promise.<SmtpdReply>promise().future();
            default:
                break;
        }
        Promise<SmtpdReply> reply = Promise.promise();
        Runnable record = () -> {
            delivered.add(transaction);
            deliveredSessions.add(session);
            reply.complete(SmtpdReply.ok("2.0.0", "Ok: queued as " + delivered.size()));
        };
        long delay = deliverDelayMs;
        if (delay > 0) {
            vertx.setTimer(delay, t -> record.run());
        } else {
            // Complete off the event loop, as a Kafka producer callback would.
            new Thread(record, "test-deliver").start();
        }
        return reply.future();
    }

    MailTransaction last() {
        return delivered.isEmpty() ? null : delivered.get(delivered.size() - 1);
    }
}
