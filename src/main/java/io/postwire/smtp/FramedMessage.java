package io.postwire.smtp;

import io.vertx.core.buffer.Buffer;

/**
 * A message ready for the DATA phase, made in one pass over the submitted bytes by {@link
 * #frame(Buffer)}: lines starting with '.' get a second '.' (RFC 5321 §4.5.2), the body is ended
 * with CRLF if it was not, and the terminating {@code .CRLF} is appended.
 *
 * @param wire         the bytes to write after the 354 reply, terminator included
 * @param originalSize the submitted size in octets, announced as SIZE= (RFC 1870)
 * @param eightBit     whether any byte has the high bit set, so BODY=8BITMIME is announced
 */
record FramedMessage(Buffer wire, int originalSize, boolean eightBit) {

    private static final Buffer TERMINATOR = Buffer.buffer(".\r\n");

    static FramedMessage frame(Buffer message) {
        int len = message.length();
        Buffer out = Buffer.buffer(len + len / 64 + 5);
        boolean eightBit = false;
        boolean lineStart = true;
        int runStart = 0;
        for (int i = 0; i < len; i++) {
            byte b = message.getByte(i);
            if (lineStart && b == '.') {
                // Copy the run so far, then the extra dot; the original dot starts the next run.
                out.appendBuffer(message, runStart, i - runStart).appendByte((byte) '.');
                runStart = i;
            }
            eightBit |= b < 0;
            // Stuff after any LF, not only after CRLF: a bare "\n.\r\n" in a submitted message
            // would otherwise end DATA early on servers that accept bare LF (SMTP smuggling).
            lineStart = b == '\n';
        }
        out.appendBuffer(message, runStart, len - runStart);
        boolean endsWithCrlf = len >= 2 && message.getByte(len - 2) == '\r' && message.getByte(len - 1) == '\n';
        if (len > 0 && !endsWithCrlf) {
            out.appendString("\r\n");
        }
        out.appendBuffer(TERMINATOR);
        return new FramedMessage(out, len, eightBit);
    }
}
