package io.postwire.smtp;

import io.postwire.event.SmtpReply;
import java.util.List;

/**
 * One complete server reply as read off the wire: the parsed {@link SmtpReply} plus the text of
 * each line, which EHLO capability parsing needs line by line.
 */
record ServerReply(SmtpReply reply, List<String> lines) {

    ServerReply {
        lines = List.copyOf(lines);
    }

    int code() {
        return reply.code();
    }

    static ServerReply of(int code, List<String> lines) {
        // Continuation lines usually repeat the enhanced code; SmtpReply takes it from the first.
        return new ServerReply(SmtpReply.parse(code, String.join(" ", lines)), lines);
    }
}
