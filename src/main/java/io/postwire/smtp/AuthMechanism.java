package io.postwire.smtp;

/** The SASL mechanisms the client can use for SMTP AUTH (RFC 4954); all need TLS underneath. */
public enum AuthMechanism {
    /** RFC 4616: user and password in one base64 initial response. Preferred: one round trip. */
    PLAIN,
    /** The de-facto LOGIN mechanism: user and password in two base64 challenge responses. */
    LOGIN,
    /**
     * Google's and Microsoft's SASL XOAUTH2: user and an OAuth 2.0 bearer token in one initial
     * response. Needs credentials with a token source ({@link SmtpCredentials#xoauth2}).
     */
    XOAUTH2
}
