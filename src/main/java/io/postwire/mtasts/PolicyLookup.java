package io.postwire.mtasts;

import java.util.Objects;
import java.util.Optional;

/**
 * The policy to apply to one recipient domain, where it came from, and the policy problem to
 * record when there was one (a fetch that failed, whether or not a cached policy stood in).
 *
 * @param domain  the recipient domain in its ASCII form
 * @param policy  what the dispatcher applies
 * @param source  how the policy was obtained
 * @param problem an {@code sts-*} report to log or put in the delivery event
 */
public record PolicyLookup(String domain, TlsPolicy policy, Source source, Optional<TlsReport> problem) {

    public enum Source {
        /** No MTA-STS record (or not exactly one valid one), or DNS failed with nothing cached. */
        NOT_PUBLISHED,
        /** Fetched just now because nothing was cached or the record's id changed. */
        FETCHED,
        /** The cached policy, its id confirmed by DNS or recently enough. */
        CACHED,
        /**
         * The cached, unexpired policy used because no live one could be had (TXT gone or
         * failing, or the fetch failed): RFC 8461 §5.1 says to keep applying it.
         */
        CACHED_FALLBACK,
        /** A record exists but the policy could not be fetched and none was cached: no policy (§5). */
        FETCH_FAILED
    }

    public PolicyLookup {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(problem, "problem");
    }
}
