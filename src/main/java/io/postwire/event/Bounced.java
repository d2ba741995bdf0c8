package io.postwire.event;

/**
 * The receiving server refused this recipient permanently. Terminal.
 *
 * <p>{@code source} says how Postwire learnt it: {@value #SOURCE_SMTP} when the remote server
 * replied 5xx in our own SMTP session, {@value #SOURCE_DSN} when a delivery status notification
 * (RFC 3464) came back by mail, possibly after the relay had accepted the message. A DSN bounce
 * may therefore follow a {@link Delivered}; it is the only event allowed to. Null reads as
 * {@value #SOURCE_SMTP}, the only source before the field existed.
 */
public record Bounced(
        String messageId,
        String recipientId,
        String sender,
        String recipient,
        int attempt,
        SmtpReply reply,
        String remoteHost,
        BounceClass bounceClass,
        String source) implements PostwireEvent {

    public static final String SOURCE_SMTP = "smtp";
    public static final String SOURCE_DSN = "dsn";

    public Bounced {
        Require.story(messageId, recipientId, sender, recipient);
        Require.attempt(attempt);
        Require.present("reply", reply);
        Require.present("bounceClass", bounceClass);
        source = source == null ? SOURCE_SMTP : source;
        if (!source.equals(SOURCE_SMTP) && !source.equals(SOURCE_DSN)) {
            throw new IllegalArgumentException("source must be smtp or dsn, was " + source);
        }
    }

    /** A bounce seen in our own SMTP session (the parameter list before {@code source} existed). */
    public Bounced(String messageId, String recipientId, String sender, String recipient, int attempt,
            SmtpReply reply, String remoteHost, BounceClass bounceClass) {
        this(messageId, recipientId, sender, recipient, attempt, reply, remoteHost, bounceClass, SOURCE_SMTP);
    }

    /** True when the bounce came back by mail after the session ended. */
    public boolean fromDsn() {
        return SOURCE_DSN.equals(source);
    }

    @Override
    public boolean terminal() {
        return true;
    }
}
