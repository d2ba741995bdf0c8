package io.postwire.smtp;

import java.util.List;
import java.util.Objects;

/**
 * The SMTP envelope of one transaction: the reverse-path for MAIL FROM (empty for bounces, RFC
 * 5321 §4.5.5) and the forward-paths for RCPT TO, without angle brackets.
 */
public record SmtpEnvelope(String mailFrom, List<String> recipients) {

    public SmtpEnvelope {
        Objects.requireNonNull(mailFrom, "mailFrom");
        Objects.requireNonNull(recipients, "recipients");
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope needs at least one recipient");
        }
        recipients = List.copyOf(recipients);
        checkPath(mailFrom, "mailFrom");
        for (String r : recipients) {
            if (r.isEmpty()) {
                throw new IllegalArgumentException("recipient must not be empty");
            }
            checkPath(r, "recipient");
        }
    }

    public static SmtpEnvelope of(String mailFrom, String... recipients) {
        return new SmtpEnvelope(mailFrom, List.of(recipients));
    }

    // Addresses go verbatim into command lines; CR, LF or brackets would let a caller inject
    // extra SMTP commands or break the path syntax (RFC 5321 §4.1.2).
    private static void checkPath(String path, String what) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\r' || c == '\n' || c == '<' || c == '>' || c == ' ' || c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(what + " contains a forbidden character: " + path);
            }
        }
    }
}
