package io.postwire.feedback;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * Parses the RFC 5322 §3.3 dates of reports (Arrival-Date, Last-Attempt-Date). A date that
 * cannot be read is null rather than an error: it is informative, never needed to match a send.
 */
final class MailDates {

    /** RFC 5322 §4.3 obsolete zone names, which older MTAs still write. */
    private static final Map<String, String> OBSOLETE_ZONES = Map.of("UT", "+0000", "EST", "-0500", "EDT", "-0400",
            "CST", "-0600", "CDT", "-0500", "MST", "-0700", "MDT", "-0600", "PST", "-0800", "PDT", "-0700");

    private MailDates() {
    }

    static Instant parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        // Comments such as "(PDT)" or "(UTC)" and runs of folding whitespace are not part of the date.
        String s = value.replaceAll("\\([^)]*\\)", " ").replaceAll("\\s+", " ").strip();
        int space = s.lastIndexOf(' ');
        if (space > 0 && OBSOLETE_ZONES.containsKey(s.substring(space + 1))) {
            s = s.substring(0, space + 1) + OBSOLETE_ZONES.get(s.substring(space + 1));
        }
        try {
            return ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(s); // some reporters write RFC 3339
            } catch (DateTimeParseException again) {
                return null;
            }
        }
    }
}
