package io.postwire.mtasts;

import java.util.Objects;

/** How fetching (and parsing) one policy file ended: a policy, or why there is none. */
sealed interface PolicyFetch {

    record Fetched(StsPolicy policy) implements PolicyFetch {
        public Fetched {
            Objects.requireNonNull(policy, "policy");
        }
    }

    /** @param result one of the {@code sts-*} result types; @param reason for logs */
    record Failed(TlsResult result, String reason) implements PolicyFetch {
        public Failed {
            Objects.requireNonNull(result, "result");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
