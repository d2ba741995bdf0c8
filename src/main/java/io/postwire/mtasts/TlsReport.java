package io.postwire.mtasts;

import io.postwire.smtp.SmtpResult;
import java.util.Objects;
import java.util.Optional;

/**
 * One TLS outcome worth recording in a delivery event or log line: for which recipient domain and
 * MX host, under which policy mode, whether the session used TLS, and the RFC 8460 result. The
 * material of a later TLS-RPT aggregate; small and flat so it fits an event field or log fields.
 *
 * @param domain     the recipient (policy) domain
 * @param mxHost     the MX host name; empty for a policy fetch failure, which concerns no host
 * @param policyMode {@link TlsPolicy#mode()}: enforce, testing or none
 * @param result     what happened
 * @param tlsUsed    whether the session ran over TLS
 * @param detail     a human reason for logs ("" on success)
 */
public record TlsReport(String domain, Optional<String> mxHost, String policyMode, TlsResult result,
        boolean tlsUsed, String detail) {

    public TlsReport {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(mxHost, "mxHost");
        Objects.requireNonNull(policyMode, "policyMode");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(detail, "detail");
    }

    /** True for every result but {@link TlsResult#SUCCESS}. */
    public boolean failed() {
        return result != TlsResult.SUCCESS;
    }

    /** A policy could not be had for the domain (an {@code sts-*} result). */
    public static TlsReport policyFailure(String domain, String policyMode, TlsResult result, String detail) {
        return new TlsReport(domain, Optional.empty(), policyMode, result, false, detail);
    }

    /** The policy does not name this MX host, so enforce mode skips it (RFC 8461 §4.1). */
    public static TlsReport mxNotInPolicy(String domain, String mxHost, TlsPolicy policy) {
        return new TlsReport(domain, Optional.of(mxHost), policy.mode(), TlsResult.VALIDATION_FAILURE, false,
                "MX host " + mxHost + " does not match the MTA-STS policy " + policy);
    }

    /**
     * The TLS outcome of one SMTP session, or empty when the session ended before TLS was decided
     * (e.g. the connection was refused): nothing about TLS to report then. A session that reached
     * the server's replies without TLS and without a TLS failure ran in plain text, which the
     * server made us do (no STARTTLS offered, or refused): {@code starttls-not-supported}.
     */
    public static Optional<TlsReport> forSession(String domain, String mxHost, TlsPolicy policy, SmtpResult smtp) {
        if (smtp.tlsFailure().isPresent()) {
            String detail = smtp.recipients().isEmpty() || smtp.recipients().get(0).failure() == null
                    ? smtp.tlsFailure().get().resultType() : smtp.recipients().get(0).failure();
            return Optional.of(new TlsReport(domain, Optional.of(mxHost), policy.mode(),
                    TlsResult.of(smtp.tlsFailure().get()), false, detail));
        }
        if (smtp.tlsUsed()) {
            return Optional.of(new TlsReport(domain, Optional.of(mxHost), policy.mode(), TlsResult.SUCCESS, true, ""));
        }
        boolean serverSpoke = smtp.recipients().stream().anyMatch(r -> r.reply() != null);
        return serverSpoke
                ? Optional.of(new TlsReport(domain, Optional.of(mxHost), policy.mode(),
                        TlsResult.STARTTLS_NOT_SUPPORTED, false, "session ran without TLS"))
                : Optional.empty();
    }
}
