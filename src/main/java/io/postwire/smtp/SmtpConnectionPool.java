package io.postwire.smtp;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Shares up to {@code maxConnections} live connections to one relay target among sends. Sends
 * beyond that wait in a FIFO queue; an idle connection is reused for the next send; after a
 * failed transaction the connection is cleared with RSET; a connection is closed (QUIT) after
 * {@code maxMessagesPerConnection} transactions, after {@code idleTimeout} unused, or after any
 * protocol error or 421.
 *
 * <p>Confined to one Vert.x context: every method must be called on it, which is what makes the
 * plain collections and counters here safe without locks.
 */
final class SmtpConnectionPool {

    /** A send waiting for a connection; may be retried once on a fresh connection. */
    private static final class Job {
        final SmtpEnvelope env;
        final FramedMessage msg;
        final Promise<SmtpResult> promise = Promise.promise();
        boolean retried;

        Job(SmtpEnvelope env, FramedMessage msg) {
            this.env = env;
            this.msg = msg;
        }
    }

    private final Vertx vertx;
    private final NetClient netClient;
    private final RelayTarget target;
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private final ArrayDeque<SmtpConnection> idle = new ArrayDeque<>();
    private final Map<SmtpConnection, Long> idleTimers = new HashMap<>();
    private final Promise<Void> drained = Promise.promise();
    private int live;
    private boolean closed;
    private boolean dispatching;
    private boolean dispatchAgain;

    SmtpConnectionPool(Vertx vertx, NetClient netClient, RelayTarget target) {
        this.vertx = vertx;
        this.netClient = netClient;
        this.target = target;
    }

    Future<SmtpResult> send(SmtpEnvelope env, FramedMessage msg) {
        Job job = new Job(env, msg);
        if (closed) {
            complete(job, false, AttemptFailure.network("SMTP client is closed"));
        } else {
            queue.add(job);
            dispatch();
        }
        return job.promise.future();
    }

    /** Refuses new sends, fails queued ones, closes idle connections; done when none is left. */
    Future<Void> close() {
        if (!closed) {
            closed = true;
            Job job;
            while ((job = queue.poll()) != null) {
                complete(job, false, AttemptFailure.network("SMTP client is closed"));
            }
            new ArrayList<>(idle).forEach(c -> {
                idle.remove(c);
                cancelIdleTimer(c);
                retire(c);
            });
            checkDrained();
        }
        return drained.future();
    }

    /**
     * Hands queued sends to idle connections or new ones while the limit allows. Completed Vert.x
     * futures call back synchronously, so retiring a dead connection can ask for a dispatch while
     * one is running; such requests re-run the loop instead of nesting.
     */
    private void dispatch() {
        if (dispatching) {
            dispatchAgain = true;
            return;
        }
        dispatching = true;
        try {
            do {
                dispatchAgain = false;
                assignQueuedJobs();
            } while (dispatchAgain);
        } finally {
            dispatching = false;
        }
    }

    private void assignQueuedJobs() {
        while (!queue.isEmpty()) {
            SmtpConnection conn = takeIdle();
            if (queue.isEmpty()) {
                if (conn != null) {
                    release(conn); // the queue was drained meanwhile; keep the connection
                }
                return;
            }
            if (conn != null) {
                transact(queue.poll(), conn);
            } else if (live < target.maxConnections()) {
                live++;
                connect(queue.poll());
            } else {
                return; // every connection is busy; the next release dispatches again
            }
        }
    }

    private SmtpConnection takeIdle() {
        SmtpConnection conn;
        while ((conn = idle.pollLast()) != null) {
            cancelIdleTimer(conn);
            if (conn.isReusable()) {
                return conn; // most recently used first, so surplus connections can idle out
            }
            retire(conn); // the server closed it while idle
        }
        return null;
    }

    private void connect(Job job) {
        SmtpConnection.open(vertx, netClient, target).onComplete(opened -> {
            if (opened.failed()) {
                live--;
                complete(job, false, opened.cause());
                checkDrained();
                dispatch();
                return;
            }
            SmtpConnection conn = opened.result();
            SessionSetup.run(conn).onComplete(ready -> {
                if (ready.succeeded()) {
                    transact(job, conn);
                } else {
                    complete(job, conn.isTls(), ready.cause());
                    retire(conn);
                }
            });
        });
    }

    private void transact(Job job, SmtpConnection conn) {
        boolean reused = conn.transactions() > 0;
        MailTransaction.run(conn, job.env, job.msg).onComplete(ar -> {
            if (ar.failed()) {
                // Only a bug gets here (outcomes are values); surface it to the caller.
                conn.retire();
                afterTransaction(conn);
                job.promise.fail(ar.cause());
                return;
            }
            MailTransaction.Outcome outcome = ar.result();
            boolean noVerdict = outcome.results().stream().allMatch(r -> r.failure() != null);
            boolean retry = reused && noVerdict && !outcome.bodySent() && !job.retried && !closed;
            if (retry) {
                // A pooled connection the server dropped while idle: nothing was delivered, so
                // try once more on a fresh connection instead of reporting a spurious failure.
                job.retried = true;
                queue.addFirst(job);
            }
            // Release first, so a caller that sends again from the completion finds it idle.
            afterTransaction(conn);
            if (!retry) {
                job.promise.complete(new SmtpResult(target.address(), conn.isTls(), outcome.results()));
            }
        });
    }

    private void afterTransaction(SmtpConnection conn) {
        if (closed || !conn.isReusable() || conn.transactions() >= target.maxMessagesPerConnection()) {
            retire(conn);
        } else if (conn.needsReset()) {
            conn.reset().onComplete(ar -> {
                if (ar.succeeded()) {
                    release(conn);
                } else {
                    retire(conn);
                }
            });
        } else {
            release(conn);
        }
    }

    private void release(SmtpConnection conn) {
        if (closed || !conn.isReusable()) {
            retire(conn);
            return;
        }
        if (!queue.isEmpty()) {
            transact(queue.poll(), conn);
            return;
        }
        idle.addLast(conn);
        idleTimers.put(conn, vertx.setTimer(target.idleTimeout().toMillis(), id -> {
            idleTimers.remove(conn);
            if (idle.remove(conn)) {
                retire(conn);
            }
        }));
    }

    /** Closes a connection for good; its slot is freed once the socket is done. */
    private void retire(SmtpConnection conn) {
        conn.quit().onComplete(ar -> {
            live--;
            checkDrained();
            dispatch();
        });
    }

    private void cancelIdleTimer(SmtpConnection conn) {
        Long timer = idleTimers.remove(conn);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }

    /** Connections counted against {@code maxConnections}: open, opening or closing. */
    int live() {
        return live;
    }

    private void checkDrained() {
        if (closed && live == 0) {
            drained.tryComplete();
        }
    }

    private void complete(Job job, boolean tls, Throwable cause) {
        List<RecipientResult> results = new ArrayList<>();
        for (String r : job.env.recipients()) {
            results.add(AttemptFailure.resultFor(r, cause));
        }
        job.promise.complete(new SmtpResult(target.address(), tls, results,
                Optional.ofNullable(AttemptFailure.tlsFailureOf(cause))));
    }
}
