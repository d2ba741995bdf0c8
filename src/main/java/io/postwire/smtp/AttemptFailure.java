package io.postwire.smtp;

import io.postwire.event.SmtpReply;

/**
 * Why a session could not carry a transaction: a server verdict (e.g. a 421 greeting or a 535 to
 * AUTH) or a network-level reason (refused, timed out, TLS failure, connection lost).
 *
 * <p>Used only to short-circuit the internal Future chains of one attempt; {@link SmtpClient}
 * turns it into {@link RecipientResult} values, so it never reaches callers. It carries no stack
 * trace because it is an outcome, not a bug.
 */
final class AttemptFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient SmtpReply reply;
    private final TlsFailure tlsFailure;
    private final boolean atGreeting;

    private AttemptFailure(SmtpReply reply, String reason, TlsFailure tlsFailure, boolean atGreeting) {
        super(reason, null, false, false);
        this.reply = reply;
        this.tlsFailure = tlsFailure;
        this.atGreeting = atGreeting;
    }

    private AttemptFailure(SmtpReply reply, String reason) {
        this(reply, reason, null, false);
    }

    static AttemptFailure verdict(SmtpReply reply) {
        return new AttemptFailure(reply, reply.toString());
    }

    /** The server greeted with something other than 220: it offers no service to us now. */
    static AttemptFailure greetingRefused(SmtpReply reply) {
        return new AttemptFailure(reply, reply.toString(), null, true);
    }

    /**
     * The relay refused our credentials. That is a fault of our configuration (or an expired
     * token), never a verdict about the recipient, so it is reported as a failure without a reply:
     * callers defer and retry, as Postfix does with {@code smtp_sasl_auth_soft_bounce}.
     */
    static AttemptFailure authenticationRefused(SmtpReply reply) {
        return new AttemptFailure(null, "relay refused authentication: " + reply);
    }

    static AttemptFailure network(String reason) {
        return new AttemptFailure(null, reason);
    }

    /** TLS was required and could not be had; the kind is kept for TLS reporting. */
    static AttemptFailure tls(TlsFailure kind, String reason) {
        return new AttemptFailure(null, reason, kind, false);
    }

    /** Which TLS requirement failed, or null when the failure was about something else. */
    static TlsFailure tlsFailureOf(Throwable cause) {
        return cause instanceof AttemptFailure f ? f.tlsFailure : null;
    }

    /** The server's verdict, or null when the failure was network-level. */
    SmtpReply reply() {
        return reply;
    }

    /** Turns any failure of an attempt into the result for one recipient. */
    static RecipientResult resultFor(String recipient, Throwable cause) {
        if (cause instanceof AttemptFailure f && f.reply != null) {
            return f.atGreeting ? RecipientResult.refusedAtGreeting(recipient, f.reply)
                    : RecipientResult.replied(recipient, f.reply);
        }
        return RecipientResult.failed(recipient, reasonOf(cause));
    }

    static String reasonOf(Throwable cause) {
        if (cause instanceof AttemptFailure f) {
            return f.getMessage();
        }
        String msg = cause.getMessage();
        return cause.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }
}
