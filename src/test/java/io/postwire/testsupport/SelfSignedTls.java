package io.postwire.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed RSA certificate for {@code localhost}/127.0.0.1, generated with the JDK's
 * {@code keytool -genkeypair} into a temporary PKCS12 keystore: as an SSLContext for
 * {@link TestSmtpServer}, or as PEM files for Postwire's own listeners (the form production
 * configuration uses). Generated once per JVM because keytool takes about a second.
 */
public final class SelfSignedTls {

    private static final char[] PASSWORD = "postwire-test".toCharArray();
    private static KeyStore keyStore;
    private static SSLContext context;

    /** Paths of a PEM certificate and its PKCS#8 PEM private key. */
    public record PemFiles(Path certificate, Path privateKey) {
    }

    private SelfSignedTls() {
    }

    public static synchronized SSLContext serverContext() {
        if (context == null) {
            try {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keyStore(), PASSWORD);
                SSLContext ssl = SSLContext.getInstance("TLS");
                ssl.init(kmf.getKeyManagers(), null, null);
                context = ssl;
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException("cannot create the test TLS context", e);
            }
        }
        return context;
    }

    /** Writes the certificate and key as PEM files into {@code dir} (created if needed). */
    public static synchronized PemFiles writePem(Path dir) {
        try {
            Files.createDirectories(dir);
            KeyStore ks = keyStore();
            Certificate cert = ks.getCertificate("smtp");
            PrivateKey key = (PrivateKey) ks.getKey("smtp", PASSWORD);
            PemFiles files = new PemFiles(dir.resolve("tls-cert.pem"), dir.resolve("tls-key.pem"));
            Files.writeString(files.certificate(), pem("CERTIFICATE", cert.getEncoded()));
            Files.writeString(files.privateKey(), pem("PRIVATE KEY", key.getEncoded()));
            return files;
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot write the test TLS PEM files", e);
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static KeyStore keyStore() {
        if (keyStore == null) {
            keyStore = generate();
        }
        return keyStore;
    }

    private static KeyStore generate() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("postwire-tls");
            Path keystore = dir.resolve("server.p12");
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-keyalg", "RSA",
                    "-keysize", "2048", "-alias", "smtp", "-dname", "CN=localhost", "-validity", "30",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                    "-keystore", keystore.toString(), "-storepass", new String(PASSWORD),
                    "-keypass", new String(PASSWORD))
                    .redirectErrorStream(true)
                    .start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                ks.load(in, PASSWORD);
            }
            return ks;
        } catch (IOException | InterruptedException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the test TLS certificate", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a leftover temp file is harmless
        }
    }
}
