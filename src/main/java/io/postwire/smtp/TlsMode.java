package io.postwire.smtp;

/** How a {@link SmtpClient} uses STARTTLS (RFC 3207) towards one relay target. */
public enum TlsMode {
    /** Never send STARTTLS, even when offered; for local test sinks and trusted links only. */
    OFF,
    /** Send STARTTLS when the server offers it; carry on in plain text when it does not. */
    OPTIONAL,
    /**
     * Insist on TLS: when STARTTLS is not offered, is refused or the handshake fails, the attempt
     * ends as a transient failure and no message is sent (the server may be fixed by the next try).
     */
    REQUIRED
}
