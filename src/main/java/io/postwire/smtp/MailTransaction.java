package io.postwire.smtp;

import io.postwire.event.SmtpReply;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one mail transaction (MAIL, RCPT per recipient, DATA, message) on a ready connection and
 * reports a result per recipient. With PIPELINING, MAIL, all RCPTs and DATA go out in one write
 * and the replies are matched in order (RFC 2920 §3.1); otherwise each command waits for its reply.
 *
 * <p>The returned future never fails: network trouble becomes failure results. Afterwards the
 * connection knows whether the server still holds envelope state and needs RSET.
 */
final class MailTransaction {

    /** The per-recipient results, and whether any message bytes went out (a retry could duplicate). */
    record Outcome(List<RecipientResult> results, boolean bodySent) {
    }

    private final SmtpConnection conn;
    private final SmtpEnvelope env;
    private final FramedMessage msg;
    private final Duration commandTimeout;
    private final Step[] rcpts;
    private Step mail;
    private Step data;
    private Step fin;
    private boolean bodySent;

    private MailTransaction(SmtpConnection conn, SmtpEnvelope env, FramedMessage msg) {
        this.conn = conn;
        this.env = env;
        this.msg = msg;
        this.commandTimeout = conn.target().commandTimeout();
        this.rcpts = new Step[env.recipients().size()];
    }

    static Future<Outcome> run(SmtpConnection conn, SmtpEnvelope env, FramedMessage msg) {
        long limit = conn.capabilities().maxSize();
        if (limit > 0 && msg.originalSize() > limit) {
            return Future.succeededFuture(tooLarge(conn, env, msg, limit));
        }
        MailTransaction tx = new MailTransaction(conn, env, msg);
        Future<Void> dialogue = conn.capabilities().pipelining() ? tx.pipelined() : tx.lockStep();
        return dialogue.transform(ar -> Future.succeededFuture(tx.finish()));
    }

    /**
     * RFC 1870 §4: a message larger than the server's announced limit "will be rejected with a
     * permanent failure (552)". Sending it anyway would cost the whole transfer to learn that, so
     * the reply is made here, in the server's name as Postfix does, with the enhanced code 5.3.4
     * (RFC 3463: message too big for system) that classifies it as too large. Nothing is sent, so
     * the connection stays as it was, ready for the next message.
     */
    private static Outcome tooLarge(SmtpConnection conn, SmtpEnvelope env, FramedMessage msg, long limit) {
        SmtpReply refusal = new SmtpReply(552, "5.3.4", "message size " + msg.originalSize()
                + " exceeds size limit " + limit + " of server " + conn.target().address() + " (not sent)");
        List<RecipientResult> results = new ArrayList<>();
        for (String r : env.recipients()) {
            results.add(RecipientResult.replied(r, refusal));
        }
        return new Outcome(results, false);
    }

    private Future<Void> pipelined() {
        StringBuilder batch = new StringBuilder(mailCommand());
        List<Future<ServerReply>> replies = new ArrayList<>();
        replies.add(conn.expect(commandTimeout));
        for (String r : env.recipients()) {
            batch.append("RCPT TO:<").append(r).append(">\r\n");
            replies.add(conn.expect(commandTimeout));
        }
        batch.append("DATA\r\n");
        replies.add(conn.expect(commandTimeout));
        conn.write(batch.toString());
        // Wait until every reply arrived or failed; a broken connection fails all at once.
        return Future.join(new ArrayList<Future<?>>(replies)).transform(ar -> {
            mail = Step.of(replies.get(0));
            for (int i = 0; i < rcpts.length; i++) {
                rcpts[i] = Step.of(replies.get(i + 1));
            }
            data = Step.of(replies.get(replies.size() - 1));
            if (!data.hasCode(354)) {
                return Future.succeededFuture();
            }
            if (RecipientVerdicts.anyAccepted(mail, rcpts)) {
                return sendBody();
            }
            // RFC 2920 §3.1: DATA was accepted although no recipient was; end it with an empty
            // message, which the server must reject, instead of sending the real one.
            conn.write(".\r\n");
            return conn.expect(commandTimeout).mapEmpty();
        });
    }

    private Future<Void> lockStep() {
        return ask(mailCommand()).compose(s -> {
            mail = s;
            return s.positive() ? rcptFrom(0) : Future.succeededFuture();
        });
    }

    private Future<Void> rcptFrom(int i) {
        if (i == rcpts.length) {
            if (!RecipientVerdicts.anyAccepted(mail, rcpts)) {
                return Future.succeededFuture(); // no DATA; the pool sends RSET instead
            }
            return ask("DATA\r\n").compose(s -> {
                data = s;
                return s.hasCode(354) ? sendBody() : Future.succeededFuture();
            });
        }
        return ask("RCPT TO:<" + env.recipients().get(i) + ">\r\n").compose(s -> {
            rcpts[i] = s;
            return s.failure() != null ? Future.succeededFuture() : rcptFrom(i + 1);
        });
    }

    private Future<Void> sendBody() {
        conn.write(msg.wire());
        bodySent = true;
        return conn.expect(conn.target().dataTimeout(), "the reply to the message").transform(ar -> {
            fin = Step.of(ar);
            return Future.succeededFuture();
        });
    }

    private Future<Step> ask(String command) {
        conn.write(command);
        return conn.expect(commandTimeout).transform(ar -> Future.succeededFuture(Step.of(ar)));
    }

    private String mailCommand() {
        EhloCapabilities caps = conn.capabilities();
        StringBuilder cmd = new StringBuilder("MAIL FROM:<").append(env.mailFrom()).append('>');
        if (caps.sizeAdvertised()) {
            cmd.append(" SIZE=").append(msg.originalSize());
        }
        if (caps.eightBitMime() && msg.eightBit()) {
            cmd.append(" BODY=8BITMIME");
        }
        return cmd.append("\r\n").toString();
    }

    private Outcome finish() {
        String fallback = conn.brokenReason() != null ? conn.brokenReason() : "transaction aborted";
        List<RecipientResult> results =
                RecipientVerdicts.assemble(env.recipients(), mail, rcpts, data, fin, fallback);
        // Only a final reply after the dot closes the transaction on the server side.
        conn.transactionDone(fin == null || fin.reply() == null);
        return new Outcome(results, bodySent);
    }
}
