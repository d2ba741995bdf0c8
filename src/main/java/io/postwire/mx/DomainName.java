package io.postwire.mx;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;

/** Checks a recipient domain and puts it in the one form the cache and DNS queries use. */
public final class DomainName {

    private DomainName() {
    }

    /**
     * The lower-case ASCII (IDNA) form without a trailing dot, or empty when the text cannot be
     * a DNS name: empty labels, labels over 63 octets, names over 253, characters outside
     * letters, digits, hyphen and underscore, or an address literal such as {@code [10.0.0.1]}.
     */
    public static Optional<String> ascii(String domain) {
        if (domain == null) {
            return Optional.empty();
        }
        String name = domain.strip();
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        try {
            name = IDN.toASCII(name, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (name.isEmpty() || name.length() > 253) {
            return Optional.empty();
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || !label.matches("[a-z0-9_-]+")) {
                return Optional.empty();
            }
        }
        return Optional.of(name);
    }
}
