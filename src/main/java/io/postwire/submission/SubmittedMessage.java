package io.postwire.submission;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Completes a submitted message the way RFC 6409 §8.2–8.3 allows a submission server to: a
 * missing {@code Message-ID} or {@code Date} is added. Nothing else is touched, so the bytes the
 * client sent are the bytes that get relayed (and signed).
 */
final class SubmittedMessage {

    private SubmittedMessage() {
    }

    static byte[] complete(byte[] message, String messageId, String senderDomain, Instant now) {
        int end = headerEnd(message);
        boolean hasId = hasField(message, end, "message-id");
        boolean hasDate = hasField(message, end, "date");
        if (hasId && hasDate) {
            return message;
        }
        StringBuilder added = new StringBuilder();
        if (!hasId) {
            added.append("Message-ID: <").append(messageId).append('@').append(senderDomain).append(">\r\n");
        }
        if (!hasDate) {
            added.append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(now.atOffset(ZoneOffset.UTC)))
                    .append("\r\n");
        }
        byte[] prefix = added.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[prefix.length + message.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(message, 0, out, prefix.length, message.length);
        return out;
    }

    /** Offset of the empty line that ends the header section, or the message length if none. */
    static int headerEnd(byte[] m) {
        for (int i = 0; i + 1 < m.length; i++) {
            if (m[i] == '\n' && (m[i + 1] == '\n' || (m[i + 1] == '\r' && i + 2 < m.length && m[i + 2] == '\n'))) {
                return i + 1;
            }
        }
        return m.length;
    }

    /** A field starts a line (not a folded continuation) with its name, optional blanks, and a colon. */
    static boolean hasField(byte[] m, int end, String lowerName) {
        int lineStart = 0;
        while (lineStart < end) {
            if (startsWithName(m, lineStart, end, lowerName)) {
                return true;
            }
            int nl = lineStart;
            while (nl < end && m[nl] != '\n') {
                nl++;
            }
            lineStart = nl + 1;
        }
        return false;
    }

    private static boolean startsWithName(byte[] m, int at, int end, String lowerName) {
        int n = lowerName.length();
        if (at + n >= end) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            int c = m[at + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lowerName.charAt(i)) {
                return false;
            }
        }
        int i = at + n;
        while (i < end && (m[i] == ' ' || m[i] == '\t')) {
            i++;
        }
        return i < end && m[i] == ':';
    }
}
