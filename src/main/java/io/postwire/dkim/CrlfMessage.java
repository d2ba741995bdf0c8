package io.postwire.dkim;

/**
 * Brings a message into the CRLF-only form that goes over SMTP, so that what is signed is
 * exactly what the receiver will hash.
 */
final class CrlfMessage {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private CrlfMessage() {
    }

    /**
     * Turns every bare LF into CRLF and makes the message end with CRLF (an SMTP client appends
     * one before the final dot anyway, RFC 5321 §4.1.1.4, and the receiver hashes that line end).
     * Returns the input array itself when nothing needs to change, which is the common case.
     */
    static byte[] normalize(byte[] message) {
        int bareLf = 0;
        for (int i = 0; i < message.length; i++) {
            if (message[i] == LF && (i == 0 || message[i - 1] != CR)) {
                bareLf++;
            }
        }
        boolean endsWithCrlf = message.length >= 2
                && message[message.length - 2] == CR && message[message.length - 1] == LF;
        boolean endsWithBareLf = message.length >= 1 && message[message.length - 1] == LF && !endsWithCrlf;
        boolean appendCrlf = message.length > 0 && !endsWithCrlf && !endsWithBareLf;
        if (bareLf == 0 && !appendCrlf) {
            return message;
        }
        byte[] out = new byte[message.length + bareLf + (appendCrlf ? 2 : 0)];
        int o = 0;
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            if (b == LF && (i == 0 || message[i - 1] != CR)) {
                out[o++] = CR;
            }
            out[o++] = b;
        }
        if (appendCrlf) {
            out[o++] = CR;
            out[o++] = LF;
        }
        return out;
    }
}
