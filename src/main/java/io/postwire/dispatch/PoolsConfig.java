package io.postwire.dispatch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sending pools ({@code postwire.pools.<name>.*}): a local IP address that direct-to-MX
 * connections leave from, the EHLO name to go with it, and which mail uses it. Providers judge
 * reputation and apply their limits per sending IP, so each pool has its own shaping state
 * against every site. Mail no pool claims uses the pool named {@code default}, which needs no
 * entry (and then leaves from whatever address the kernel picks).
 */
@ConfigMapping(prefix = "postwire.pools")
public interface PoolsConfig {

    @WithParentName
    Map<String, Pool> pools();

    /** One pool. */
    interface Pool {

        /** IP literal to bind outgoing connections to; it must be an address of this host. */
        @WithName("source-address")
        Optional<String> sourceAddress();

        /** EHLO name for this pool's connections (should match the address's PTR); else the dispatcher's. */
        @WithName("helo-name")
        Optional<String> heloName();

        /** Sender domains whose mail uses this pool, exact (case-insensitive), comma-separated. */
        @WithName("sender-domains")
        Optional<List<String>> senderDomains();

        /** Send tags (e.g. {@code marketing}) whose mail uses this pool, comma-separated. */
        Optional<List<String>> tags();
    }
}
