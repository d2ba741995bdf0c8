package io.postwire.mtasts;

import java.util.List;

/**
 * What a recipient domain's MTA-STS policy asks of a delivery, as the dispatcher applies it
 * (RFC 8461 §5): {@link None} is today's opportunistic STARTTLS; {@link Enforce} allows only the
 * matching MX hosts, each over STARTTLS with a certificate valid for its name; {@link Testing}
 * checks the same but only reports failures and delivers anyway.
 */
public sealed interface TlsPolicy {

    /** No policy (none published, {@code mode: none}, or none could be fetched and none cached). */
    record None() implements TlsPolicy {
        @Override
        public boolean check(String mxHost) {
            return true;
        }

        @Override
        public String mode() {
            return "none";
        }
    }

    /** {@code mode: enforce}: never deliver to a host that fails {@link #check} or TLS validation. */
    record Enforce(List<String> mxPatterns) implements TlsPolicy {
        public Enforce {
            mxPatterns = List.copyOf(mxPatterns);
        }

        @Override
        public boolean check(String mxHost) {
            return anyMatches(mxPatterns, mxHost);
        }

        @Override
        public String mode() {
            return "enforce";
        }
    }

    /** {@code mode: testing}: report what enforce would have refused, deliver as with no policy. */
    record Testing(List<String> mxPatterns) implements TlsPolicy {
        public Testing {
            mxPatterns = List.copyOf(mxPatterns);
        }

        @Override
        public boolean check(String mxHost) {
            return anyMatches(mxPatterns, mxHost);
        }

        @Override
        public String mode() {
            return "testing";
        }
    }

    /**
     * Whether {@code mxHost} (an MX host name, not an address) is one the policy names, by the
     * RFC 8461 §4.1 rules: exact, or a {@code *.} pattern covering exactly its leftmost label.
     * Always true for {@link None}.
     */
    boolean check(String mxHost);

    /** The policy mode as written in policy files and TLS reports: enforce, testing or none. */
    String mode();

    private static boolean anyMatches(List<String> patterns, String host) {
        return host != null && patterns.stream().anyMatch(p -> MxPatterns.matches(p, host));
    }
}
