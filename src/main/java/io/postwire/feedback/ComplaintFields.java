package io.postwire.feedback;

import java.time.Instant;

/**
 * The machine-readable part of an abuse report ({@code message/feedback-report}, RFC 5965 §3.5).
 * Only {@code feedbackType} is required here; RFC 5965 also requires User-Agent and Version, but
 * real reports miss them and the complaint is still worth recording.
 *
 * @param feedbackType lower-cased Feedback-Type: abuse, fraud, virus, other, not-spam, auth-failure...
 * @param userAgent User-Agent, or null
 * @param version Version, or null
 * @param originalMailFrom Original-Mail-From address, or null
 * @param originalRcptTo the first Original-Rcpt-To address, or null (redacted reports drop it)
 * @param arrivalDate Arrival-Date (or the older Received-Date), or null
 * @param sourceIp Source-IP, or null
 * @param reportedDomain the first Reported-Domain, or null
 * @param reportingMta Reporting-MTA host without its type, or null
 */
public record ComplaintFields(
        String feedbackType,
        String userAgent,
        String version,
        String originalMailFrom,
        String originalRcptTo,
        Instant arrivalDate,
        String sourceIp,
        String reportedDomain,
        String reportingMta) {

    public ComplaintFields {
        if (feedbackType == null || feedbackType.isBlank()) {
            throw new IllegalArgumentException("feedbackType is required");
        }
    }
}
