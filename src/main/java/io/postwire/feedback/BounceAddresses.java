package io.postwire.feedback;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The addresses of the feedback loop: the signed VERP return path of each send, and the check of
 * what the inbound door may accept. One bean so the dispatcher (which writes the tokens) and the
 * inbound door (which reads them) can never disagree about the domain or the key.
 */
@ApplicationScoped
public class BounceAddresses {

    private static final Logger LOG = Logger.getLogger(BounceAddresses.class);

    private final Optional<String> domain;
    private final Optional<VerpToken> verp;
    private final String feedbackLocalPart;

    BounceAddresses(BounceConfig config) {
        this.domain = config.domain().map(String::strip).filter(d -> !d.isEmpty()).map(d -> d.toLowerCase(Locale.ROOT));
        this.feedbackLocalPart = config.feedbackLocalPart().orElse("fbl").toLowerCase(Locale.ROOT);
        if (domain.isEmpty()) {
            LOG.warn("POSTWIRE_BOUNCE_DOMAIN is not set: return paths are the senders themselves, so bounces that"
                    + " come back by mail are not matched to their sends (the X-Postwire-Id header still is)");
            this.verp = Optional.empty();
            return;
        }
        String secret = config.secret().orElseThrow(() -> new IllegalStateException(
                "POSTWIRE_BOUNCE_DOMAIN needs POSTWIRE_BOUNCE_SECRET (at least 16 bytes, the same on every replica)"));
        List<byte[]> retired = config.retiredSecrets().orElse(List.of()).stream()
                .map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
        this.verp = Optional.of(new VerpToken(secret.getBytes(StandardCharsets.UTF_8), retired));
    }

    /** The MAIL FROM of a send: its signed VERP address, or the sender when VERP is off or the id is too long. */
    public String returnPath(String recipientId, String sender) {
        if (verp.isEmpty()) {
            return sender;
        }
        return verp.get().encode(recipientId).map(local -> local + "@" + domain.get()).orElse(sender);
    }

    public Optional<String> domain() {
        return domain;
    }

    public Optional<VerpToken> verp() {
        return verp;
    }

    /** Whether the inbound door accepts mail for this address: a valid token or the feedback address. */
    public boolean accepts(String address) {
        int at = address.lastIndexOf('@');
        if (domain.isEmpty() || at < 0 || !address.substring(at + 1).equalsIgnoreCase(domain.get())) {
            return false;
        }
        String local = address.substring(0, at);
        return local.equalsIgnoreCase(feedbackLocalPart) || verp.get().decode(local).isPresent();
    }

    /** Whether the address is in the bounce domain at all (a wrong local part there is "no such user"). */
    public boolean inDomain(String address) {
        int at = address.lastIndexOf('@');
        return domain.isPresent() && at >= 0 && address.substring(at + 1).equalsIgnoreCase(domain.get());
    }
}
