package io.postwire.smtpd;

import java.util.Arrays;

/**
 * Collects the lines of one DATA transfer (RFC 5321 §4.1.1.4, §4.5.2).
 *
 * <ul>
 *   <li>The end is a line holding only "." that ends in CRLF and follows a line that ended in
 *       CRLF: a "." framed by a bare LF is content. Accepting {@code <LF>.<LF>} or
 *       {@code <LF>.<CRLF>} as the end would let a client smuggle a second message past a
 *       front end that reads the stream differently ("SMTP smuggling").</li>
 *   <li>A leading dot is removed from every other line that starts with one (dot-unstuffing).</li>
 *   <li>Every line is stored with CRLF, so a bare LF becomes CRLF.</li>
 *   <li>At most {@code maxSize} octets are stored; past that the rest is counted and dropped,
 *       and the transfer is read to its end before the 552 reply.</li>
 *   <li>A line over the line limit is dropped and remembered: the message is refused at the end.</li>
 * </ul>
 */
final class MessageCollector {

    private final long maxSize;
    private byte[] buffer;
    private int length;
    private long total;
    private boolean previousCrlf = true;
    private boolean lineTooLong;
    private boolean bareLf;

    MessageCollector(long maxSize) {
        this.maxSize = maxSize;
        this.buffer = new byte[(int) Math.min(8192, maxSize)];
    }

    /** Takes one line; returns true when it was the end of the message. */
    boolean line(LineReader.Line line) {
        if (line.crlf() && previousCrlf && !line.tooLong() && line.isSingleDot()) {
            return true;
        }
        previousCrlf = line.crlf();
        bareLf |= !line.crlf();
        if (line.tooLong()) {
            lineTooLong = true;
        }
        int from = line.length() > 1 && line.bytes()[0] == '.' ? 1 : 0;
        int n = line.length() - from;
        total += n + 2;
        if (lineTooLong || total > maxSize) {
            return false; // keep counting, stop storing
        }
        ensure(length + n + 2);
        System.arraycopy(line.bytes(), from, buffer, length, n);
        length += n;
        buffer[length++] = '\r';
        buffer[length++] = '\n';
        return false;
    }

    boolean tooBig() {
        return total > maxSize;
    }

    boolean lineTooLong() {
        return lineTooLong;
    }

    /** True when some line ended in a bare LF (stored as CRLF). */
    boolean sawBareLf() {
        return bareLf;
    }

    /** Octets received, as they would be stored (may exceed what is held). */
    long receivedSize() {
        return total;
    }

    /** Octets held in memory right now (the buffer's capacity). */
    int bufferedCapacity() {
        return buffer.length;
    }

    byte[] message() {
        return Arrays.copyOf(buffer, length);
    }

    private void ensure(int needed) {
        if (needed > buffer.length) {
            long grown = Math.max((long) buffer.length * 2, needed);
            buffer = Arrays.copyOf(buffer, (int) Math.min(grown, Math.max(needed, maxSize)));
        }
    }
}
