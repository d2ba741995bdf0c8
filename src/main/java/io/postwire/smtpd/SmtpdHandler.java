package io.postwire.smtpd;

import io.vertx.core.Future;

/**
 * The policy side of an {@link SmtpdServer}: the engine speaks the protocol and enforces the
 * limits in {@link SmtpdOptions}; everything that depends on who is sending what to whom is asked
 * here. The engine never calls two methods of the same session at once.
 *
 * <p>Methods are called on the session's Vert.x event loop and must not block. The futures may be
 * completed on any thread; the engine continues on the event loop. A method that throws, or a
 * future that fails, is answered with a 4xx reply and the session goes on.
 */
public interface SmtpdHandler {

    /**
     * AUTH PLAIN/LOGIN: completes with true when the credentials are good, false when they are
     * bad (the engine then waits {@link SmtpdOptions#authFailureDelay()} and replies 535 5.7.8). A
     * failed future means the check itself could not be made and is answered 454 4.7.0.
     */
    Future<Boolean> authenticate(SessionInfo session, String username, String password);

    /**
     * MAIL FROM, after the engine's own checks (order, syntax, AUTH requirement, SIZE): null to
     * accept (the engine replies 250 2.1.0), or the reply to send (any 2xx also accepts).
     *
     * @param reversePath {@code ""} for the null sender
     */
    SmtpdReply checkSender(SessionInfo session, String reversePath);

    /**
     * RCPT TO, after the engine's own checks (order, syntax, recipient limit): null to accept
     * (250 2.1.5), or the reply to send, e.g. {@code 550 5.1.1}. Any 2xx also accepts.
     */
    SmtpdReply checkRecipient(SessionInfo session, String reversePath, String recipient);

    /**
     * After the final ".": the future's reply goes to the client ({@code 250} once the message is
     * stored, {@code 451 4.3.0} when storage is down, ...). A failed future is answered
     * {@code 451 4.3.0}; a null reply is answered {@code 250 2.0.0 Ok}.
     */
    Future<SmtpdReply> deliver(SessionInfo session, MailTransaction transaction);

    /** The connection is gone, whichever way it ended: a handler can drop what it kept for the session. */
    default void sessionClosed(SessionInfo session) {
    }
}
