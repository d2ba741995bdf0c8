package io.postwire.smtpd;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The server's certificate chain and private key, both PEM files (the key PKCS#8 or PKCS#1), as
 * Vert.x's {@code PemKeyCertOptions} reads them.
 */
public record TlsMaterial(Path certificatePem, Path privateKeyPem) {

    public TlsMaterial {
        Objects.requireNonNull(certificatePem, "certificatePem");
        Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    }

    /**
     * From a pair of optional configuration values: both or neither, so a half-configured listener
     * stops the start with the property names instead of silently running without TLS.
     */
    public static Optional<TlsMaterial> fromConfig(String prefix, Optional<String> certificate, Optional<String> key) {
        if (certificate.isPresent() != key.isPresent()) {
            throw new IllegalStateException(prefix + " needs both certificate-file and key-file");
        }
        return certificate.map(c -> new TlsMaterial(Path.of(c), Path.of(key.get())));
    }
}
