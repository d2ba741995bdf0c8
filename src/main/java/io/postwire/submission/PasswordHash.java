package io.postwire.submission;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Stored form of a submission account's password: PBKDF2-HMAC-SHA256 with a random salt, from the
 * JDK (no extra dependency, works in a native image). Human-chosen passwords need a slow hash;
 * API keys are long random strings and are kept as SHA-256 digests by {@code ApiKeys}.
 *
 * <p>Generate a hash: {@code java -cp target/quarkus-app/app/postwire.jar
 * io.postwire.submission.PasswordHash 'the password'} (see docs/submission.md).
 */
public final class PasswordHash {

    private static final String PREFIX = "pbkdf2-sha256";
    private static final int DEFAULT_ITERATIONS = 210_000;

    private PasswordHash() {
    }

    public static String hash(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        byte[] derived = derive(password, salt, DEFAULT_ITERATIONS);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return PREFIX + "$" + DEFAULT_ITERATIONS + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(derived);
    }

    /** Constant-time comparison; a malformed stored hash never matches. */
    public static boolean matches(String password, String stored) {
        String[] parts = stored.split("\\$");
        if (parts.length != 4 || !PREFIX.equals(parts[0])) {
            return false;
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            return MessageDigest.isEqual(expected, derive(password, salt, iterations));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** True when the configured value has this class's format, so a typo fails at start-up. */
    static boolean wellFormed(String stored) {
        String[] parts = stored.split("\\$");
        return parts.length == 4 && PREFIX.equals(parts[0]) && parts[1].matches("[1-9][0-9]{3,8}");
    }

    private static byte[] derive(String password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: PasswordHash <password>");
            System.exit(2);
        }
        System.out.println(hash(args[0]));
        // Not the password: only its length, to confirm what was hashed.
        System.err.println("hashed a password of " + args[0].getBytes(StandardCharsets.UTF_8).length + " bytes");
    }
}
