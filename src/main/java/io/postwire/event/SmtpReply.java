package io.postwire.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An SMTP reply as a value: the basic code (RFC 5321 §4.2), the enhanced status code when the
 * server sent one (RFC 3463, e.g. {@code 5.1.1}), and the human-readable text.
 *
 * <p>Network failures that never produced a reply are not SmtpReplies; they are carried as a
 * reason string next to a null reply so that nobody mistakes a timeout for a server verdict.
 */
public record SmtpReply(int code, String enhancedCode, String text) {

    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s+|$)");

    public SmtpReply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("SMTP reply code must be 200..599, was " + code);
        }
        if (enhancedCode != null && !enhancedCode.matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new IllegalArgumentException("enhanced status code must look like 5.1.1, was " + enhancedCode);
        }
        text = Objects.requireNonNullElse(text, "");
    }

    /**
     * Builds a reply from the code and the text lines as they came off the wire (without the code
     * and separator), taking the enhanced code from the start of the first line when present.
     */
    public static SmtpReply parse(int code, String text) {
        String t = text == null ? "" : text.strip();
        Matcher m = ENHANCED.matcher(t);
        // RFC 3463: the class digit of the enhanced code must match the basic code's class.
        if (m.find() && m.group(1).charAt(0) == Integer.toString(code).charAt(0)) {
            String enhanced = m.group(1) + "." + m.group(2) + "." + m.group(3);
            return new SmtpReply(code, enhanced, t.substring(m.end()).strip());
        }
        return new SmtpReply(code, null, t);
    }

    @JsonIgnore
    public boolean isPositive() {
        return code >= 200 && code < 300;
    }

    @JsonIgnore
    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    @JsonIgnore
    public boolean isPermanent() {
        return code >= 500;
    }

    /** The reply as a server would print it, e.g. {@code 550 5.1.1 no such user}. */
    @Override
    public String toString() {
        return code + (enhancedCode == null ? "" : " " + enhancedCode) + (text.isEmpty() ? "" : " " + text);
    }
}
