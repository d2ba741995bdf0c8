package io.postwire.mx;

import java.util.List;
import java.util.Objects;

/**
 * What the DNS says about where a domain's mail goes. Expected outcomes are values: only a
 * bug fails {@link MxResolver#resolve}'s future.
 *
 * <p>How a caller acts on each (RFC 5321 §5.1 for the order and the fallback):
 * <ul>
 *   <li>{@link Hosts}: try the hosts in the given order, each host's addresses in turn, and move
 *       to the next host when one cannot be reached or answers with a temporary failure;</li>
 *   <li>{@link NullMx}: the domain accepts no mail; bounce with {@code 556 5.1.10} (RFC 7505 §4.2);</li>
 *   <li>{@link NoSuchDomain}: the domain does not exist (NXDOMAIN) or is not a valid name; bounce
 *       as a bad domain;</li>
 *   <li>{@link Unroutable}: the domain exists but names no host we can reach (no MX and no
 *       address, or MX hosts that do not exist); bounce with {@code 5.4.4};</li>
 *   <li>{@link TemporaryFailure}: the DNS did not answer (timeout, SERVFAIL); defer and retry.</li>
 * </ul>
 */
public sealed interface MxResult {

    /** True when retrying later cannot change the outcome: the caller bounces. */
    boolean permanent();

    /**
     * The hosts to try, in order: by preference, equal preferences in random order (RFC 5321
     * §5.1), shuffled anew on every call so that load spreads over them.
     *
     * @param implicit true when the domain has no MX records and its own A/AAAA records stand
     *                 in as the one "implicit MX" with preference 0
     */
    record Hosts(List<MxHost> hosts, boolean implicit) implements MxResult {
        public Hosts {
            hosts = List.copyOf(hosts);
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("Hosts needs at least one host");
            }
        }

        @Override
        public boolean permanent() {
            return false;
        }
    }

    /** The domain publishes the RFC 7505 null MX ({@code 0 .}): it accepts no mail. */
    record NullMx() implements MxResult {
        @Override
        public boolean permanent() {
            return true;
        }
    }

    /** NXDOMAIN, or a name that cannot be a domain at all. */
    record NoSuchDomain() implements MxResult {
        @Override
        public boolean permanent() {
            return true;
        }
    }

    /** The domain exists but no MX host (explicit or implicit) has an address. */
    record Unroutable(String reason) implements MxResult {
        public Unroutable {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public boolean permanent() {
            return true;
        }
    }

    /** No usable answer now (timeout, SERVFAIL, REFUSED from every server). Never cached. */
    record TemporaryFailure(String reason) implements MxResult {
        public TemporaryFailure {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public boolean permanent() {
            return false;
        }
    }
}
