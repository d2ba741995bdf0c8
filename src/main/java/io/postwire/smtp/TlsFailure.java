package io.postwire.smtp;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;

/**
 * Why a session could not get the TLS it was required to have, named after the RFC 8460 §4.3.2
 * negotiation-failure result types so that TLS reports and logs can use them unchanged.
 */
public enum TlsFailure {
    /** The server did not offer STARTTLS, or refused it. */
    STARTTLS_NOT_SUPPORTED("starttls-not-supported"),
    /** The certificate is valid, but none of its DNS names is the expected host name. */
    CERTIFICATE_HOST_MISMATCH("certificate-host-mismatch"),
    /** The certificate, or one in its chain, is expired or not yet valid. */
    CERTIFICATE_EXPIRED("certificate-expired"),
    /** The chain does not lead to a trusted root (e.g. self-signed, unknown CA). */
    CERTIFICATE_NOT_TRUSTED("certificate-not-trusted"),
    /** Any other handshake or validation failure. */
    VALIDATION_FAILURE("validation-failure");

    private final String resultType;

    TlsFailure(String resultType) {
        this.resultType = resultType;
    }

    /** The RFC 8460 {@code result-type} string, e.g. {@code certificate-host-mismatch}. */
    public String resultType() {
        return resultType;
    }

    /**
     * Names a failed handshake by the JDK exceptions in its cause chain: the PKIX builder finds no
     * path to a trust anchor (untrusted), or the validator meets a certificate outside its
     * validity period (expired). Anything else is a generic validation failure.
     */
    static TlsFailure ofHandshake(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                return CERTIFICATE_EXPIRED;
            }
            if (t instanceof CertPathValidatorException validator
                    && (validator.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                            || validator.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
                return CERTIFICATE_EXPIRED;
            }
            if (t instanceof CertPathBuilderException) {
                return CERTIFICATE_NOT_TRUSTED;
            }
        }
        return VALIDATION_FAILURE;
    }
}
