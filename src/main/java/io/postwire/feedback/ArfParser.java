package io.postwire.feedback;

import io.postwire.feedback.Feedback.ComplaintReport;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the fields of a {@code message/feedback-report} part (RFC 5965 §3.5). The part is one
 * field group, but blank lines inside it are tolerated by reading every group (the first value
 * of a field wins).
 */
public final class ArfParser {

    private ArfParser() {
    }

    /** Empty when the part has no Feedback-Type, the one field nothing can stand in for. */
    public static Optional<ComplaintReport> parse(String fields, OriginalMessage original) {
        Map<String, String> f = new HashMap<>();
        List<Map<String, String>> groups = FieldGroups.parse(fields);
        groups.forEach(g -> g.forEach(f::putIfAbsent));
        String type = f.get("feedback-type");
        if (type == null || type.isBlank()) {
            return Optional.empty();
        }
        String arrival = f.containsKey("arrival-date") ? f.get("arrival-date") : f.get("received-date");
        ComplaintFields parsed = new ComplaintFields(
                type.strip().split("\\s", 2)[0].toLowerCase(Locale.ROOT),
                blankToNull(f.get("user-agent")),
                blankToNull(f.get("version")),
                FieldGroups.address(f.get("original-mail-from")),
                FieldGroups.address(f.get("original-rcpt-to")),
                MailDates.parse(arrival),
                blankToNull(f.get("source-ip")),
                blankToNull(f.get("reported-domain")),
                FieldGroups.host(f.get("reporting-mta")));
        return Optional.of(new ComplaintReport(parsed, original, Optional.empty()));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
