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
    REQUIRED,
    /**
     * Insist on TLS as {@link #REQUIRED} does, and on an authenticated server: the chain must lead
     * to the target's trust store (the JVM's by default) and a DNS name of the certificate must be
     * {@link RelayTarget#expectedCertificateName()}, the MX host name rather than the address we
     * connect to (RFC 8461 §4.2, RFC 6125 DNS-ID). What MTA-STS {@code enforce} requires. Failures
     * say which check failed ({@link SmtpResult#tlsFailure()}).
     */
    VERIFIED
}
