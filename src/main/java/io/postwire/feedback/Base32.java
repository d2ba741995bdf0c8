package io.postwire.feedback;

import java.io.ByteArrayOutputStream;
import java.util.Optional;

/**
 * RFC 4648 §6 base32 in lower case without padding. Lower case because some MTAs lower-case the
 * local part of a return path, and base32 (unlike base64) survives that; decoding accepts both
 * cases for the same reason.
 */
final class Base32 {

    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private Base32() {
    }

    static String encode(byte[] data) {
        StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }

    /**
     * Empty for anything that {@link #encode} cannot have produced: a foreign character, an
     * impossible length, or non-zero padding bits (which would let two strings carry one value).
     */
    static Optional<byte[]> decode(CharSequence text) {
        int rem = text.length() % 8;
        if (rem == 1 || rem == 3 || rem == 6) {
            return Optional.empty();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() * 5 / 8);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < text.length(); i++) {
            int v = value(text.charAt(i));
            if (v < 0) {
                return Optional.empty();
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >>> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        if ((buffer & ((1 << bits) - 1)) != 0) {
            return Optional.empty();
        }
        return Optional.of(out.toByteArray());
    }

    private static int value(char c) {
        if (c >= 'a' && c <= 'z') {
            return c - 'a';
        }
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= '2' && c <= '7') {
            return c - '2' + 26;
        }
        return -1;
    }
}
