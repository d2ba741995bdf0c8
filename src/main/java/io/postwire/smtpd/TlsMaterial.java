package io.postwire.smtpd;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The server's certificate chain and private key, both PEM files (the key PKCS#8 or PKCS#1), as
 * Vert.x's {@code PemKeyCertOptions} reads them.
 */
public record TlsMaterial(Path certificatePem, Path privateKeyPem) {

    public TlsMaterial {
        Objects.requireNonNull(certificatePem, "certificatePem");
        Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    }
}
