package io.postwire.submission;

import io.postwire.api.ApiKeys;
import io.postwire.dkim.DkimConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Who may submit, and from which sender domains. Two kinds of credentials: any API key from
 * {@code POSTWIRE_API_KEYS} as the password (the user name is free, e.g. "apikey"), which may
 * send from the configured sender domains; and named accounts with a PBKDF2 password hash and
 * their own domains. Both are stored only hashed.
 */
@ApplicationScoped
public class SubmissionAccounts {

    private static final Logger LOG = Logger.getLogger(SubmissionAccounts.class);

    /** An authenticated tenant: a stable, non-secret id and the domains it may send from. */
    public record Account(String id, Set<String> domains) {

        /** The domain itself or any of its subdomains. */
        public boolean mayUseSender(String address) {
            int at = address.lastIndexOf('@');
            if (at < 0) {
                return false;
            }
            String domain = address.substring(at + 1).toLowerCase(Locale.ROOT);
            return domains.stream().anyMatch(d -> domain.equals(d) || domain.endsWith("." + d));
        }
    }

    private final ApiKeys apiKeys;
    private final Set<String> apiKeyDomains;
    private final Map<String, SubmissionConfig.Account> named;

    SubmissionAccounts(ApiKeys apiKeys, SubmissionConfig config, DkimConfig dkim) {
        this.apiKeys = apiKeys;
        this.apiKeyDomains = lower(config.senderDomains().filter(l -> !l.isEmpty()).orElseGet(() -> dkimDomains(dkim)));
        this.named = config.accounts();
        named.forEach((user, account) -> {
            if (!PasswordHash.wellFormed(account.passwordHash())) {
                throw new IllegalArgumentException("postwire.submission.accounts." + user
                        + ".password-hash is not a pbkdf2-sha256 hash (see docs/submission.md)");
            }
        });
        if (apiKeyDomains.isEmpty()) {
            LOG.warn("no sender domains for API-key submission (postwire.submission.sender-domains or a DKIM domain):"
                    + " authenticated SMTP clients cannot send");
        }
    }

    /** Checks the credentials; CPU-heavy for named accounts (PBKDF2), so call it off the event loop. */
    public Optional<Account> authenticate(String username, String password) {
        SubmissionConfig.Account account = named.get(username);
        if (account != null) {
            return PasswordHash.matches(password, account.passwordHash())
                    ? Optional.of(new Account("user:" + username, lower(account.domains())))
                    : Optional.empty();
        }
        return Optional.ofNullable(apiKeys.idOf(password)).map(id -> new Account("key:" + id, apiKeyDomains));
    }

    private static List<String> dkimDomains(DkimConfig dkim) {
        Set<String> all = new LinkedHashSet<>();
        dkim.domain().ifPresent(all::add);
        all.addAll(dkim.domains().keySet());
        return List.copyOf(all);
    }

    private static Set<String> lower(List<String> domains) {
        return domains.stream().map(String::strip).filter(d -> !d.isEmpty())
                .map(d -> d.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }
}
