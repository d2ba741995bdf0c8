package io.postwire.dkim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Reads, writes and creates DKIM RSA keys in the formats operators actually have: PEM files from
 * {@code openssl genpkey} (PKCS#8) or {@code opendkim-genkey} (PKCS#1), and the DNS TXT record
 * that publishes the public half (RFC 6376 §3.6.1).
 */
public final class DkimKeys {

    private static final String PKCS8_LABEL = "PRIVATE KEY";
    private static final String PKCS1_LABEL = "RSA PRIVATE KEY";
    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    private static final String DASHES = "-----";

    private DkimKeys() {
    }

    /**
     * Parses an unencrypted RSA private key from PEM text, either PKCS#8
     * ({@code BEGIN PRIVATE KEY}) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}).
     *
     * @throws IllegalArgumentException naming what was wrong, for anything else
     */
    public static PrivateKey readPem(String pem) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException("PEM text is empty");
        }
        int begin = pem.indexOf(BEGIN);
        if (begin < 0) {
            throw new IllegalArgumentException("no '-----BEGIN ...-----' line found; expected a PEM private key");
        }
        int labelStart = begin + BEGIN.length();
        int labelEnd = pem.indexOf(DASHES, labelStart);
        if (labelEnd < 0) {
            throw new IllegalArgumentException("malformed PEM BEGIN line");
        }
        String label = pem.substring(labelStart, labelEnd);
        if (!label.equals(PKCS8_LABEL) && !label.equals(PKCS1_LABEL)) {
            throw new IllegalArgumentException("unsupported PEM block '" + label + "'; expected '" + PKCS8_LABEL
                    + "' (PKCS#8) or '" + PKCS1_LABEL + "' (PKCS#1)"
                    + (label.startsWith("ENCRYPTED") ? "; decrypt it first with 'openssl pkey'" : ""));
        }
        String endLine = END + label + DASHES;
        int end = pem.indexOf(endLine, labelEnd);
        if (end < 0) {
            throw new IllegalArgumentException("PEM block '" + label + "' has no '" + endLine + "' line");
        }
        String body = pem.substring(labelEnd + DASHES.length(), end);
        // Traditional OpenSSL encryption puts "Proc-Type: 4,ENCRYPTED" headers inside the block.
        if (body.contains("Proc-Type:") || body.contains("DEK-Info:")) {
            throw new IllegalArgumentException("PEM key is encrypted; decrypt it first with 'openssl rsa'");
        }
        byte[] der = decodeBase64(body);
        byte[] pkcs8 = label.equals(PKCS1_LABEL) ? PrivateKeyInfoEncoder.wrapRsa(der) : der;
        try {
            return rsaKeyFactory().generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (InvalidKeySpecException e) {
            throw new IllegalArgumentException("PEM block '" + label + "' is not a valid RSA private key: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Loads the key for {@code domain}/{@code selector} from a PEM file.
     *
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException naming the file, if it holds no usable key
     */
    public static DkimKey load(String domain, String selector, Path pemFile) {
        String pem;
        try {
            pem = Files.readString(pemFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read DKIM key file " + pemFile, e);
        }
        try {
            return new DkimKey(domain, selector, readPem(pem));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(pemFile + ": " + e.getMessage(), e);
        }
    }

    /** Creates a new 2048-bit RSA key pair, the size RFC 8301 §3.2 recommends for signers. */
    public static KeyPair generateRsa2048() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no RSA key pair generator", e);
        }
    }

    /** Writes a private key as PKCS#8 PEM, the form {@link #readPem} and {@code openssl} both read. */
    public static String toPkcs8Pem(PrivateKey key) {
        if (!"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("key does not encode as PKCS#8 (format " + key.getFormat() + ")");
        }
        String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded());
        return BEGIN + PKCS8_LABEL + DASHES + "\n" + base64 + "\n" + END + PKCS8_LABEL + DASHES + "\n";
    }

    /**
     * The TXT record value to publish at {@code <selector>._domainkey.<domain>}; {@code p=} is the
     * DER SubjectPublicKeyInfo, which is what RFC 6376 §3.6.1 verifiers decode.
     */
    public static String dnsTxtRecord(PublicKey key) {
        if (!"RSA".equals(key.getAlgorithm())) {
            throw new IllegalArgumentException("DKIM key must be RSA, was " + key.getAlgorithm());
        }
        return "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(key.getEncoded());
    }

    private static byte[] decodeBase64(String body) {
        StringBuilder compact = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (!Character.isWhitespace(c)) {
                compact.append(c);
            }
        }
        if (compact.length() == 0) {
            throw new IllegalArgumentException("PEM block is empty");
        }
        try {
            // The strict decoder, not the MIME one: that one silently skips garbage characters.
            return Base64.getDecoder().decode(compact.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PEM block is not valid base64: " + e.getMessage(), e);
        }
    }

    private static KeyFactory rsaKeyFactory() {
        try {
            return KeyFactory.getInstance("RSA");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no RSA KeyFactory", e);
        }
    }
}
