package io.postwire.mx;

import java.util.List;
import java.util.Objects;

/**
 * What DNS said about the TXT records of a name, for policies published in DNS (MTA-STS, TLS-RPT).
 * The three cases matter to such policies: "none published" is an answer, "could not ask" is not.
 */
public sealed interface TxtResult {

    /**
     * The name exists; {@code texts} holds one entry per TXT record (possibly none), each
     * record's character-strings joined without separator (RFC 8461 §3.1, RFC 7208 §3.3).
     */
    record Found(List<String> texts) implements TxtResult {
        public Found {
            texts = List.copyOf(texts);
        }
    }

    /** NXDOMAIN: the name does not exist. */
    record NoSuchName() implements TxtResult {
    }

    /** No server gave a usable answer (timeouts, SERVFAIL, garbage): try again later. */
    record Failed(String reason) implements TxtResult {
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
