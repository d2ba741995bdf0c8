package io.postwire.smtpd;

import java.util.Objects;

/**
 * One SMTP reply the server sends: a three-digit code, an optional RFC 3463 enhanced status code
 * (null for replies that carry none, such as 220, 221 and 354) and the text.
 *
 * <p>A text with {@code '\n'} in it is rendered as a multi-line reply (RFC 5321 §4.2.1), which
 * only EHLO and HELP use; every line repeats the enhanced code (RFC 2034 §4). Carriage returns
 * and other control characters are replaced by spaces, so a handler cannot inject a reply line.
 */
public record SmtpdReply(int code, String enhanced, String text) {

    public SmtpdReply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("SMTP reply code out of range: " + code);
        }
        if (enhanced != null && !enhanced.matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new IllegalArgumentException("not an enhanced status code: " + enhanced);
        }
        if (enhanced != null && enhanced.charAt(0) != Integer.toString(code).charAt(0)) {
            throw new IllegalArgumentException("enhanced code " + enhanced + " does not match class of " + code);
        }
        text = sanitise(Objects.requireNonNullElse(text, ""));
    }

    public static SmtpdReply of(int code, String enhanced, String text) {
        return new SmtpdReply(code, enhanced, text);
    }

    /** {@code 250 2.0.0 Ok}. */
    public static SmtpdReply ok() {
        return new SmtpdReply(250, "2.0.0", "Ok");
    }

    /** A 250 with the given enhanced code and text. */
    public static SmtpdReply ok(String enhanced, String text) {
        return new SmtpdReply(250, enhanced, text);
    }

    /** A 4xx reply: the client should try again later. */
    public static SmtpdReply transientFailure(int code, String enhanced, String text) {
        if (code / 100 != 4) {
            throw new IllegalArgumentException("not a 4xx code: " + code);
        }
        return new SmtpdReply(code, enhanced, text);
    }

    /** A 5xx reply: the client must not retry this as it is. */
    public static SmtpdReply permanentFailure(int code, String enhanced, String text) {
        if (code / 100 != 5) {
            throw new IllegalArgumentException("not a 5xx code: " + code);
        }
        return new SmtpdReply(code, enhanced, text);
    }

    public boolean isPositive() {
        return code < 400;
    }

    public boolean isTransient() {
        return code / 100 == 4;
    }

    public boolean isPermanent() {
        return code / 100 == 5;
    }

    /** The reply as it goes on the wire, every line ending in CRLF. */
    public String render() {
        String[] lines = text.split("\n", -1);
        StringBuilder sb = new StringBuilder(text.length() + 16 * lines.length);
        for (int i = 0; i < lines.length; i++) {
            sb.append(code).append(i == lines.length - 1 ? ' ' : '-');
            if (enhanced != null) {
                sb.append(enhanced);
                if (!lines[i].isEmpty()) {
                    sb.append(' ');
                }
            }
            sb.append(lines[i]).append("\r\n");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return code + (enhanced == null ? "" : " " + enhanced) + " " + text.replace('\n', '|');
    }

    private static String sanitise(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\n') || c == 0x7f) {
                if (sb == null) {
                    sb = new StringBuilder(text);
                }
                sb.setCharAt(i, ' ');
            }
        }
        return sb == null ? text : sb.toString();
    }
}
