package io.postwire.mtasts;

import io.postwire.smtp.TlsFailure;

/**
 * How TLS went for one delivery session or policy fetch, by RFC 8460 §4.3 result-type name, so
 * logs and events can later be rolled up into TLS reports without translation.
 */
public enum TlsResult {
    /** The session ran over TLS and passed every check the policy asked for. */
    SUCCESS("success"),
    // RFC 8460 §4.3.2.1 negotiation failures
    STARTTLS_NOT_SUPPORTED("starttls-not-supported"),
    CERTIFICATE_HOST_MISMATCH("certificate-host-mismatch"),
    CERTIFICATE_EXPIRED("certificate-expired"),
    CERTIFICATE_NOT_TRUSTED("certificate-not-trusted"),
    /**
     * Any other validation failure; also an MX host the policy does not name (RFC 8460 has no
     * dedicated type for it, and counts it as the policy refusing the host).
     */
    VALIDATION_FAILURE("validation-failure"),
    // RFC 8460 §4.3.2.2 policy failures
    /** The policy file could not be fetched: no address, connection, status, redirect, timeout. */
    STS_POLICY_FETCH_ERROR("sts-policy-fetch-error"),
    /** The policy file was fetched but is not a valid policy (syntax, type, size). */
    STS_POLICY_INVALID("sts-policy-invalid"),
    /** The policy host's HTTPS certificate did not validate (chain or name). */
    STS_WEBPKI_INVALID("sts-webpki-invalid");

    private final String resultType;

    TlsResult(String resultType) {
        this.resultType = resultType;
    }

    /** The RFC 8460 result-type string. */
    public String resultType() {
        return resultType;
    }

    /** The result named after an SMTP client's TLS failure. */
    public static TlsResult of(TlsFailure failure) {
        switch (failure) {
            case STARTTLS_NOT_SUPPORTED:
                return STARTTLS_NOT_SUPPORTED;
            case CERTIFICATE_HOST_MISMATCH:
                return CERTIFICATE_HOST_MISMATCH;
            case CERTIFICATE_EXPIRED:
                return CERTIFICATE_EXPIRED;
            case CERTIFICATE_NOT_TRUSTED:
                return CERTIFICATE_NOT_TRUSTED;
            default:
                return VALIDATION_FAILURE;
        }
    }
}
