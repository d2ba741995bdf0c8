package io.postwire.smtp;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the byte stream from an SMTP server into complete replies (RFC 5321 §4.2), however the
 * bytes were split into TCP segments: a line may arrive in pieces, and one segment may carry many
 * lines or replies (pipelining). A multi-line reply ({@code 250-...} lines ending with a {@code
 * 250 ...} line) is delivered once, when its last line is complete.
 *
 * <p>Not thread-safe; fed from one connection's event loop.
 */
final class ReplyParser {

    /** Receives parsed replies, or the reason the stream cannot be SMTP. */
    interface Listener {
        void reply(ServerReply reply);

        void malformed(String reason);
    }

    // RFC 5321 §4.5.3.1.5 caps reply lines at 512 octets; we allow more for sloppy servers but
    // still bound memory against a peer that never sends a line end.
    private static final int MAX_LINE = 16 * 1024;

    private final Listener listener;
    private final List<String> lines = new ArrayList<>();
    private Buffer partial = Buffer.buffer();
    private int code = -1;
    private int consumed;
    private boolean failed;

    ReplyParser(Listener listener) {
        this.listener = listener;
    }

    /** Consumes the next chunk of bytes from the server. */
    void feed(Buffer chunk) {
        if (failed) {
            return;
        }
        partial.appendBuffer(chunk);
        int len = partial.length();
        for (int i = consumed; i < len && !failed; i++) {
            if (partial.getByte(i) == '\n') {
                int lineStart = consumed;
                int end = i > lineStart && partial.getByte(i - 1) == '\r' ? i - 1 : i;
                // Mark the line consumed before the listener runs, so it sees what is left.
                consumed = i + 1;
                line(partial.getString(lineStart, end, StandardCharsets.UTF_8.name()));
            }
        }
        if (consumed > 0) {
            partial = partial.getBuffer(consumed, len);
            consumed = 0;
        }
        if (!failed && partial.length() > MAX_LINE) {
            fail("reply line longer than " + MAX_LINE + " bytes");
        }
    }

    /** True when bytes of an unfinished line or reply are waiting for more input. */
    boolean hasPendingInput() {
        return partial.length() > consumed || !lines.isEmpty();
    }

    private void line(String line) {
        // "250" alone is legal (no text); otherwise the code is followed by ' ' (last line) or '-'.
        if (line.length() < 3 || (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-')) {
            fail("malformed reply line: " + printable(line));
            return;
        }
        int lineCode = parseCode(line);
        if (lineCode < 200 || lineCode > 599) {
            fail("malformed reply code: " + printable(line));
            return;
        }
        if (code != -1 && lineCode != code) {
            fail("reply code changed inside a multi-line reply: " + printable(line));
            return;
        }
        code = lineCode;
        lines.add(line.length() > 4 ? line.substring(4) : "");
        boolean last = line.length() == 3 || line.charAt(3) == ' ';
        if (last) {
            ServerReply reply = ServerReply.of(code, lines);
            lines.clear();
            code = -1;
            listener.reply(reply);
        }
    }

    private static int parseCode(String line) {
        int value = 0;
        for (int i = 0; i < 3; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private void fail(String reason) {
        failed = true;
        listener.malformed(reason);
    }

    private static String printable(String line) {
        String cut = line.length() > 80 ? line.substring(0, 80) + "..." : line;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
