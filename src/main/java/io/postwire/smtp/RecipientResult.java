package io.postwire.smtp;

import io.postwire.event.SmtpReply;
import java.util.Objects;

/**
 * The outcome of one recipient in one delivery attempt: either the server's verdict ({@code
 * reply}) or a network-level reason why no verdict came ({@code failure}); exactly one is set.
 *
 * <p>The verdict is the RCPT reply when RCPT was refused, otherwise the final reply after the
 * message; when the session or transaction failed earlier it is that earlier reply (greeting,
 * EHLO, STARTTLS, MAIL or DATA). One reply is made by the client in the server's name: {@code
 * 552 5.3.4} for a message larger than the SIZE the server announced (RFC 1870 §4), which is then
 * not sent. A failure (refused connection, timeout, TLS problem, connection lost, or credentials
 * refused at AUTH) is always to be treated as transient by the caller.
 *
 * <p>{@code atGreeting} marks a reply that was the server's greeting (421 or 554 instead of 220,
 * RFC 5321 §3.1): that server offers no service to us now, which says nothing about this message
 * or recipient, so a caller may try another exchanger and should not bounce on it.
 */
public record RecipientResult(String recipient, SmtpReply reply, String failure, boolean atGreeting) {

    public RecipientResult {
        Objects.requireNonNull(recipient, "recipient");
        if ((reply == null) == (failure == null)) {
            throw new IllegalArgumentException("exactly one of reply and failure must be set");
        }
        if (atGreeting && reply == null) {
            throw new IllegalArgumentException("a refusal at the greeting carries the greeting reply");
        }
    }

    public static RecipientResult replied(String recipient, SmtpReply reply) {
        return new RecipientResult(recipient, Objects.requireNonNull(reply, "reply"), null, false);
    }

    /** The server's greeting refused service; {@code reply} is that greeting. */
    public static RecipientResult refusedAtGreeting(String recipient, SmtpReply reply) {
        return new RecipientResult(recipient, Objects.requireNonNull(reply, "reply"), null, true);
    }

    public static RecipientResult failed(String recipient, String failure) {
        return new RecipientResult(recipient, null, Objects.requireNonNull(failure, "failure"), false);
    }

    /** True when the server accepted the message for this recipient. */
    public boolean isAccepted() {
        return reply != null && reply.isPositive();
    }
}
