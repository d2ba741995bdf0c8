package io.postwire.smtp;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Checks that a server certificate names the host we meant to reach, with the RFC 6125 §6.4 DNS-ID
 * rules that RFC 8461 §4.2 asks for: only subjectAltName dNSName entries count (no fallback to the
 * subject CN, which CAs have not relied on for years), case-insensitive, and a wildcard only as the
 * entire leftmost label, standing for exactly one label ({@code *.example.net} covers
 * {@code mx.example.net}, not {@code example.net} nor {@code a.mx.example.net}).
 *
 * <p>Done by us after the handshake instead of by the JDK's "HTTPS" endpoint identification, so
 * that a name mismatch can be told apart from an untrusted chain (TLS-RPT reports them apart).
 */
final class CertificateNames {

    /** subjectAltName GeneralName tag for dNSName (RFC 5280 §4.2.1.6). */
    private static final int DNS_NAME = 2;

    private CertificateNames() {
    }

    static boolean matches(X509Certificate certificate, String host) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (names == null) {
            return false;
        }
        for (List<?> name : names) {
            if (name.size() >= 2 && Integer.valueOf(DNS_NAME).equals(name.get(0))
                    && name.get(1) instanceof String presented && dnsIdMatches(presented, host)) {
                return true;
            }
        }
        return false;
    }

    static boolean dnsIdMatches(String presented, String reference) {
        String p = canonical(presented);
        String r = canonical(reference);
        if (p.isEmpty() || r.isEmpty()) {
            return false;
        }
        if (p.startsWith("*.")) {
            String suffix = p.substring(1); // ".example.net"
            // Two labels at least after the wildcard, so "*.net" never covers a whole TLD.
            if (suffix.indexOf('.', 1) < 0 || suffix.contains("*")) {
                return false;
            }
            int firstDot = r.indexOf('.');
            return firstDot > 0 && r.substring(firstDot).equals(suffix);
        }
        return !p.contains("*") && p.equals(r);
    }

    private static String canonical(String name) {
        String lower = name.strip().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
