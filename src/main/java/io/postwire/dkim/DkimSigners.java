package io.postwire.dkim;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Holds one {@link DkimSigner} per configured signing domain, loaded once at start-up so a bad
 * key file fails the start instead of the first send, and picks the signer for a sender.
 */
@ApplicationScoped
public class DkimSigners {

    private static final Logger LOG = Logger.getLogger(DkimSigners.class);

    private final Map<String, DkimSigner> byDomain = new HashMap<>();

    DkimSigners(DkimConfig config) {
        if (config.domain().isPresent() != config.keyFile().isPresent()) {
            throw new IllegalStateException(
                    "POSTWIRE_DKIM_DOMAIN and POSTWIRE_DKIM_KEY_FILE must be set together (or neither)");
        }
        config.domain().ifPresent(d -> add(d, config.selector(), config.keyFile().orElseThrow()));
        config.domains().forEach((d, k) -> add(d, k.selector(), k.keyFile()));
        if (byDomain.isEmpty()) {
            LOG.warn("no DKIM key configured: mail will be sent unsigned");
        }
    }

    private void add(String domain, String selector, String keyFile) {
        String d = domain.toLowerCase(Locale.ROOT);
        byDomain.put(d, new DkimSigner(DkimKeys.load(d, selector, Path.of(keyFile))));
        LOG.infof("DKIM signing for %s with selector %s", d, selector);
    }

    /**
     * The signer for the most specific configured domain that is the sender's domain or a parent
     * of it: relaxed DMARC alignment accepts a parent-domain signature.
     */
    public Optional<DkimSigner> forSenderDomain(String senderDomain) {
        String d = senderDomain.toLowerCase(Locale.ROOT);
        while (true) {
            DkimSigner s = byDomain.get(d);
            if (s != null) {
                return Optional.of(s);
            }
            int dot = d.indexOf('.');
            if (dot < 0 || d.indexOf('.', dot + 1) < 0) {
                return Optional.empty(); // never sign with a bare TLD's key
            }
            d = d.substring(dot + 1);
        }
    }
}
