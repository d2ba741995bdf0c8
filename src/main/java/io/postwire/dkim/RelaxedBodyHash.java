package io.postwire.dkim;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of a body under RFC 6376 §3.4.4 "relaxed" canonicalization, computed in one pass over
 * the bytes: this runs for every message sent, so there is no per-line regex and no String.
 *
 * <p>Whitespace and line ends are not written when seen but remembered, and only written once a
 * later content byte proves they are not trailing: that alone drops WSP at line ends, collapses
 * WSP runs to one SP and ignores empty lines at the end of the body.
 */
final class RelaxedBodyHash {

    private static final int BUFFER_SIZE = 8192;

    private RelaxedBodyHash() {
    }

    /** Hashes {@code message[from..]}, which must already be CRLF-normalized. */
    static byte[] of(byte[] message, int from) {
        MessageDigest sha256 = sha256();
        byte[] buffer = new byte[BUFFER_SIZE];
        int used = 0;
        int pendingLineEnds = 0;
        boolean pendingSpace = false;
        boolean anyContent = false;
        int end = message.length;
        for (int i = from; i < end; i++) {
            byte b = message[i];
            if (b == ' ' || b == '\t') {
                pendingSpace = true;
            } else if (b == '\r' && i + 1 < end && message[i + 1] == '\n') {
                i++;
                pendingLineEnds++;
                // WSP before a line end is trailing WSP: dropped.
                pendingSpace = false;
            } else {
                for (; pendingLineEnds > 0; pendingLineEnds--) {
                    if (used + 2 > buffer.length) {
                        sha256.update(buffer, 0, used);
                        used = 0;
                    }
                    buffer[used++] = '\r';
                    buffer[used++] = '\n';
                }
                // Room for at most a space and the byte itself.
                if (used + 2 > buffer.length) {
                    sha256.update(buffer, 0, used);
                    used = 0;
                }
                if (pendingSpace) {
                    buffer[used++] = ' ';
                    pendingSpace = false;
                }
                buffer[used++] = b;
                anyContent = true;
            }
        }
        // A non-empty body ends with exactly one CRLF; a body that is empty or only empty lines
        // canonicalizes to nothing at all (relaxed differs from simple here, RFC 6376 §3.4.4).
        if (anyContent) {
            if (used + 2 > buffer.length) {
                sha256.update(buffer, 0, used);
                used = 0;
            }
            buffer[used++] = '\r';
            buffer[used++] = '\n';
        }
        sha256.update(buffer, 0, used);
        return sha256.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
