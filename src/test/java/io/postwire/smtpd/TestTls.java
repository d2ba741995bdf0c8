package io.postwire.smtpd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A self-signed certificate for {@code localhost}/127.0.0.1 as the PEM files {@link TlsMaterial}
 * wants (the test server in {@code testsupport} keeps its key in a keystore instead), made once per
 * JVM with the JDK's keytool; and a client context that trusts any certificate.
 */
final class TestTls {

    private static final char[] PASSWORD = "postwire-smtpd-test".toCharArray();
    private static TlsMaterial material;

    private TestTls() {
    }

    static synchronized TlsMaterial material() {
        if (material == null) {
            material = generate();
        }
        return material;
    }

    /** A client context that accepts the self-signed certificate (and any other). */
    static SSLContext trustAllClient() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static TlsMaterial generate() {
        try {
            Path dir = Files.createTempDirectory("postwire-smtpd-tls");
            dir.toFile().deleteOnExit();
            Path keystore = dir.resolve("server.p12");
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-keyalg", "RSA",
                    "-keysize", "2048", "-alias", "smtpd", "-dname", "CN=localhost", "-validity", "2",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                    "-keystore", keystore.toString(), "-storepass", new String(PASSWORD),
                    "-keypass", new String(PASSWORD))
                    .redirectErrorStream(true)
                    .start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                ks.load(in, PASSWORD);
            }
            Files.delete(keystore);
            Key key = ks.getKey("smtpd", PASSWORD);
            Certificate cert = ks.getCertificate("smtpd");
            Path certPem = dir.resolve("cert.pem");
            Path keyPem = dir.resolve("key.pem");
            Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
            Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
            certPem.toFile().deleteOnExit();
            keyPem.toFile().deleteOnExit();
            return new TlsMaterial(certPem, keyPem);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the test certificate", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
