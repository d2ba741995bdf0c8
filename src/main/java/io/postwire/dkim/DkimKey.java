package io.postwire.dkim;

import java.security.PrivateKey;
import java.util.Objects;

/**
 * The identity a message is signed with: the signing domain (DKIM {@code d=}), the selector
 * (DKIM {@code s=}) under which the public key is published at
 * {@code <selector>._domainkey.<domain>}, and the RSA private key.
 */
public record DkimKey(String domain, String selector, PrivateKey privateKey) {

    public DkimKey {
        requireDnsName("domain", domain);
        requireDnsName("selector", selector);
        Objects.requireNonNull(privateKey, "privateKey");
        // Only rsa-sha256 is implemented; an EC or Ed25519 key would fail later, deep in signing.
        if (!"RSA".equals(privateKey.getAlgorithm())) {
            throw new IllegalArgumentException("DKIM key must be RSA, was " + privateKey.getAlgorithm());
        }
    }

    /**
     * Both values end up verbatim inside the DKIM-Signature tag list, so anything that could
     * break the tag syntax ({@code ;}, {@code =}, whitespace) or a header (CR/LF) is refused here.
     */
    private static void requireDnsName(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.isEmpty() || value.startsWith(".") || value.endsWith(".")) {
            throw new IllegalArgumentException("DKIM " + what + " must be a DNS name, was '" + value + "'");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_';
            if (!ok) {
                throw new IllegalArgumentException("DKIM " + what + " must be a DNS name, was '" + value + "'");
            }
        }
    }
}
