package io.postwire.dkim;

import java.io.ByteArrayOutputStream;

/**
 * Wraps a PKCS#1 {@code RSAPrivateKey} (what {@code opendkim-genkey} writes) in a PKCS#8
 * {@code PrivateKeyInfo} (RFC 5208 §5), the only private-key encoding the JDK's KeyFactory reads.
 *
 * <p>Only the handful of DER forms that structure needs are written, so a full ASN.1 library
 * (and BouncyCastle, which would hurt the native image) is not needed.
 */
final class PrivateKeyInfoEncoder {

    private static final int INTEGER = 0x02;
    private static final int OCTET_STRING = 0x04;
    private static final int SEQUENCE = 0x30;

    /** AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }, already DER-encoded. */
    private static final byte[] RSA_ALGORITHM_IDENTIFIER = {
        0x30, 0x0d,
        0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01,
        0x05, 0x00
    };

    private PrivateKeyInfoEncoder() {
    }

    /** Returns {@code PrivateKeyInfo ::= SEQUENCE { version 0, algorithm, OCTET STRING pkcs1 }}. */
    static byte[] wrapRsa(byte[] pkcs1Der) {
        ByteArrayOutputStream content = new ByteArrayOutputStream(pkcs1Der.length + 32);
        content.writeBytes(tlv(INTEGER, new byte[] {0}));
        content.writeBytes(RSA_ALGORITHM_IDENTIFIER);
        content.writeBytes(tlv(OCTET_STRING, pkcs1Der));
        return tlv(SEQUENCE, content.toByteArray());
    }

    static byte[] tlv(int tag, byte[] value) {
        byte[] length = length(value.length);
        byte[] out = new byte[1 + length.length + value.length];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(value, 0, out, 1 + length.length, value.length);
        return out;
    }

    /** DER definite length (X.690 §8.1.3): short form below 128, else 0x80|n followed by n bytes. */
    static byte[] length(int length) {
        if (length < 0x80) {
            return new byte[] {(byte) length};
        }
        int bytes = 0;
        for (int l = length; l > 0; l >>>= 8) {
            bytes++;
        }
        byte[] out = new byte[1 + bytes];
        out[0] = (byte) (0x80 | bytes);
        for (int i = bytes; i > 0; i--) {
            out[i] = (byte) (length >>> (8 * (bytes - i)));
        }
        return out;
    }
}
