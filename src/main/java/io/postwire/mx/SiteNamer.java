package io.postwire.mx;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Rolls recipient domains up into delivery sites: domains served by the same mail servers share
 * one site, so throttles and connection limits apply per receiving system rather than per
 * domain (thousands of Microsoft 365 tenants are one Outlook).
 *
 * <p>The site of a resolved domain is the provider site of its best MX host when a
 * {@link SiteRules} suffix matches ({@code outlook}, {@code gmail}, {@code yahoo}), otherwise
 * the registrable part of that host's name ({@code mx1.mail.example.co.uk} →
 * {@code example.co.uk}). "Best" is the lowest preference, ties broken by name, so that the
 * shuffled order of a result never changes its site. Pure and thread-safe.
 */
public final class SiteNamer {

    private static final Comparator<MxHost> BEST_FIRST =
            Comparator.comparingInt(MxHost::preference).thenComparing(MxHost::name);

    private final SiteRules rules;

    public SiteNamer(SiteRules rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    /** A namer with the shipped provider rules only. */
    public static SiteNamer withPresets() {
        return new SiteNamer(SiteRules.presets());
    }

    /** The site of a result with hosts; empty for a result without any (null MX, failures). */
    public Optional<String> site(MxResult result) {
        if (!(result instanceof MxResult.Hosts)) {
            return Optional.empty();
        }
        List<MxHost> hosts = new ArrayList<>(((MxResult.Hosts) result).hosts());
        hosts.sort(BEST_FIRST);
        int best = hosts.get(0).preference();
        // A provider rule on any of the most preferred hosts names the site: a provider's
        // domains sometimes list a host of another name at the same preference.
        for (MxHost host : hosts) {
            if (host.preference() != best) {
                break;
            }
            Optional<String> provider = rules.siteOf(host.name());
            if (provider.isPresent()) {
                return provider;
            }
        }
        return Optional.of(PublicSuffixes.registrable(hosts.get(0).name()));
    }

    /**
     * The site of a result, or when it has no hosts (the mail will not go out now, but a retry
     * still needs a key) the recipient domain itself, lower case ASCII.
     */
    public String site(String recipientDomain, MxResult result) {
        Objects.requireNonNull(recipientDomain, "recipientDomain");
        return site(result).orElseGet(() -> DomainName.ascii(recipientDomain)
                .orElse(DnsResponseReader.normalize(recipientDomain.strip())));
    }
}
