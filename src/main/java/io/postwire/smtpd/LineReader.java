package io.postwire.smtpd;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;

/**
 * Splits the bytes of one connection into lines, one at a time, holding at most one received chunk
 * and one line's worth of bytes.
 *
 * <p>A line ends at LF; a CR right before it is removed and remembered ({@link Line#crlf()}), so
 * the caller can tell CRLF from a bare LF. Bytes of a line beyond the limit are counted but not
 * kept, and the line is flagged {@link Line#tooLong()}: the session can answer it and go on, which
 * Vert.x's {@code RecordParser} cannot (with a maximum record size it fails the whole stream).
 *
 * <p>{@link #next()} hands out one line and leaves the rest of the chunk where it is. That is the
 * backpressure: while the session waits for its handler it stops asking and pauses the socket, and
 * nothing more is read or buffered.
 */
final class LineReader {

    /** One line without its terminator. */
    record Line(byte[] bytes, int length, boolean crlf, boolean tooLong) {

        boolean isSingleDot() {
            return length == 1 && bytes[0] == '.';
        }
    }

    private int limit;
    private byte[] chunk;
    private int pos;
    private byte[] partial = new byte[256];
    private int partialLength;  // bytes kept in partial
    private long lineLength;    // bytes of the current line seen so far, kept or not
    private boolean lastWasCr;

    LineReader(int limit) {
        this.limit = limit;
    }

    /** The longest line, CRLF included; longer ones come out flagged {@code tooLong}. */
    void limit(int limit) {
        this.limit = limit;
    }

    void feed(Buffer data) {
        byte[] bytes = data.getBytes();
        if (chunk == null || pos >= chunk.length) {
            chunk = bytes;
            pos = 0;
        } else {
            // Only if the socket delivered while we were not asking; keep the order anyway.
            byte[] merged = Arrays.copyOf(Arrays.copyOfRange(chunk, pos, chunk.length), chunk.length - pos + bytes.length);
            System.arraycopy(bytes, 0, merged, chunk.length - pos, bytes.length);
            chunk = merged;
            pos = 0;
        }
    }

    /** The next complete line, or null when more bytes are needed. */
    Line next() {
        if (chunk == null) {
            return null;
        }
        int end = chunk.length;
        int lf = -1;
        for (int i = pos; i < end; i++) {
            if (chunk[i] == '\n') {
                lf = i;
                break;
            }
        }
        int stop = lf < 0 ? end : lf;
        keep(chunk, pos, stop);
        if (lf < 0) {
            chunk = null;
            pos = 0;
            return null;
        }
        pos = lf + 1;
        if (pos >= end) {
            chunk = null;
            pos = 0;
        }
        boolean crlf = lastWasCr;
        long contentLength = crlf ? lineLength - 1 : lineLength;
        boolean tooLong = contentLength + 2 > limit;
        int kept = (int) Math.min(partialLength, contentLength);
        Line line = new Line(Arrays.copyOf(partial, kept), kept, crlf, tooLong);
        partialLength = 0;
        lineLength = 0;
        lastWasCr = false;
        return line;
    }

    /** True when part of a line has arrived but not its end. */
    boolean hasPartialLine() {
        return lineLength > 0;
    }

    /** True when bytes are waiting, complete lines or not. */
    boolean hasBufferedInput() {
        return hasPartialLine() || (chunk != null && pos < chunk.length);
    }

    /** Forgets everything received and not yet handed out (STARTTLS, RFC 3207 §4.2). */
    void discard() {
        chunk = null;
        pos = 0;
        partialLength = 0;
        lineLength = 0;
        lastWasCr = false;
    }

    private void keep(byte[] src, int from, int to) {
        int n = to - from;
        if (n <= 0) {
            return;
        }
        lineLength += n;
        lastWasCr = src[to - 1] == '\r';
        int room = limit - partialLength; // never more than one line's limit is kept
        int copy = Math.min(n, Math.max(0, room));
        if (copy > 0) {
            if (partialLength + copy > partial.length) {
                partial = Arrays.copyOf(partial, Math.min(Math.max(partial.length * 2, partialLength + copy), limit));
            }
            System.arraycopy(src, from, partial, partialLength, copy);
            partialLength += copy;
        }
    }
}
