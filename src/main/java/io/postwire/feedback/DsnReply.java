package io.postwire.feedback;

import io.postwire.event.SmtpReply;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the {@link SmtpReply} of one DSN recipient from its Diagnostic-Code and Status.
 *
 * <p>The Diagnostic-Code of type {@code smtp} is the remote server's own reply and is what the
 * classifier knows best, so its code and text are kept. The Status (RFC 3464 §2.3.4) is the
 * reporting MTA's verdict: it decides the class, and it supplies the enhanced code when the reply
 * has none or one of another class, and always for X.4.7 (the relay gave up, whatever the last
 * reply said). Without a usable reply the basic code comes from the Status class (550, 450).
 */
final class DsnReply {

    /** Multi-line replies arrive unfolded as "550-5.1.1 a 550-5.1.1 b 550 5.1.1 c". */
    private static final Pattern LEADING_CODE = Pattern.compile("^([2-5]\\d\\d)(?:[ -]|$)(.*)$", Pattern.DOTALL);

    private DsnReply() {
    }

    static SmtpReply of(RecipientStatus s) {
        String status = s.status();
        SmtpReply remote = remoteReply(s);
        char statusClass = status != null ? status.charAt(0)
                : remote != null ? Integer.toString(remote.code()).charAt(0)
                : s.action() == RecipientStatus.Action.DELAYED ? '4' : '5';
        String text = remote != null ? remote.text() : s.diagnostic() == null ? "" : s.diagnostic().strip();
        int code;
        if (remote != null && Integer.toString(remote.code()).charAt(0) == statusClass) {
            code = remote.code();
        } else if (status == null && statusClass == '5') {
            code = 554; // "transaction failed": no status and no reply must not read as 550 "no such user"
        } else {
            code = statusClass == '5' ? 550 : statusClass == '4' ? 450 : 250;
        }
        String enhanced = remote == null ? null : remote.enhancedCode();
        if (status != null && (enhanced == null || enhanced.charAt(0) != statusClass || status.endsWith(".4.7"))) {
            enhanced = status;
        }
        if (enhanced != null && enhanced.charAt(0) != Integer.toString(code).charAt(0)) {
            enhanced = null;
        }
        return new SmtpReply(code, enhanced, text);
    }

    private static SmtpReply remoteReply(RecipientStatus s) {
        if (s.diagnostic() == null || (s.diagnosticType() != null && !s.diagnosticType().equals("smtp"))) {
            return null;
        }
        Matcher m = LEADING_CODE.matcher(s.diagnostic().strip());
        if (!m.matches()) {
            return null;
        }
        String code = m.group(1);
        // Drop the "550-5.1.1" prefixes of continuation lines so the text reads as one sentence.
        String rest = m.group(2).replaceAll("\\s+" + code + "[ -](?:[245]\\.\\d{1,3}\\.\\d{1,3}\\s+)?", " ");
        return SmtpReply.parse(Integer.parseInt(code), rest);
    }
}
