package io.postwire.smtpd;

import io.postwire.testsupport.SelfSignedTls;
import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The shared self-signed test certificate as the PEM files {@link TlsMaterial} wants, and a
 * client context that trusts any certificate.
 */
final class TestTls {

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
            SelfSignedTls.PemFiles pem = SelfSignedTls.writePem(Files.createTempDirectory("postwire-smtpd-tls"));
            return new TlsMaterial(pem.certificate(), pem.privateKey());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
