package io.postwire.shaping;

import io.postwire.event.SmtpReply;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The backoff policy: rules tried in order, first match wins. Immutable and thread-safe. */
public final class BackoffRules {

    private final List<BackoffRule> rules;

    public BackoffRules(List<BackoffRule> rules) {
        this.rules = rules.stream().sorted(Comparator.comparingInt(BackoffRule::order)
                .thenComparing(BackoffRule::name)).toList();
    }

    public Optional<BackoffRule> match(String site, SmtpReply reply) {
        if (reply == null || reply.isPositive()) {
            return Optional.empty();
        }
        for (BackoffRule r : rules) {
            if (r.matches(site, reply)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    public List<BackoffRule> all() {
        return rules;
    }
}
