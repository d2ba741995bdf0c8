package io.postwire.testsupport;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Self-signed server certificates for chosen DNS names (e.g. {@code mx.example.test},
 * {@code *.example.test}), made with the JDK's keytool, for tests that check certificate names:
 * the test connects to 127.0.0.1 but verifies the name. Each certificate is its own trust anchor,
 * so {@link #trust()} trusts exactly it. Cached per name list: keytool takes about a second.
 */
public final class TestCertificates {

    private static final String PASSWORD = "postwire-test";
    private static final Map<String, TestCertificates> CACHE = new ConcurrentHashMap<>();

    private final byte[] pkcs12;
    private final String certificatePem;

    private TestCertificates(byte[] pkcs12, String certificatePem) {
        this.pkcs12 = pkcs12;
        this.certificatePem = certificatePem;
    }

    /** A certificate whose subjectAltName lists exactly {@code dnsNames}. */
    public static TestCertificates forNames(String... dnsNames) {
        return CACHE.computeIfAbsent(String.join(",", dnsNames), k -> generate(dnsNames));
    }

    /** The key and certificate for a Vert.x server. */
    public PfxOptions keyCert() {
        return new PfxOptions().setValue(Buffer.buffer(pkcs12)).setPassword(PASSWORD);
    }

    /** Trust anchors for a Vert.x client: only this certificate. */
    public PemTrustOptions trust() {
        return new PemTrustOptions().addCertValue(Buffer.buffer(certificatePem));
    }

    /** An SSLContext presenting this certificate, for {@link TestSmtpServer}. */
    public SSLContext serverContext() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(pkcs12), PASSWORD.toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, PASSWORD.toCharArray());
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), null, null);
            return ssl;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the test certificate", e);
        }
    }

    private static TestCertificates generate(String... dnsNames) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("postwire-certs");
            Path keystore = dir.resolve("server.p12");
            StringBuilder san = new StringBuilder("SAN=");
            for (String name : dnsNames) {
                san.append(san.length() > 4 ? "," : "").append("dns:").append(name);
            }
            String cn = dnsNames[0].replace("*", "wildcard");
            run(new ProcessBuilder(keytool(), "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-alias", "server", "-dname", "CN=" + cn, "-validity", "30", "-ext", san.toString(),
                    "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD,
                    "-keypass", PASSWORD));
            byte[] pkcs12 = Files.readAllBytes(keystore);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(pkcs12), PASSWORD.toCharArray());
            byte[] der = ks.getCertificate("server").getEncoded();
            String pem = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                    + "\n-----END CERTIFICATE-----\n";
            return new TestCertificates(pkcs12, pem);
        } catch (IOException | InterruptedException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a test certificate", e);
        } finally {
            if (dir != null) {
                dir.resolve("server.p12").toFile().delete();
                dir.toFile().delete();
            }
        }
    }

    private static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    private static void run(ProcessBuilder builder) throws IOException, InterruptedException {
        Process p = builder.redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
    }
}
