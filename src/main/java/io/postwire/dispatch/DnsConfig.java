package io.postwire.dispatch;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** The DNS servers for MX lookups (env {@code POSTWIRE_DNS_SERVERS}). */
@ConfigMapping(prefix = "postwire.dns")
public interface DnsConfig {

    /** {@code host[:port]} list of recursive resolvers; empty means {@code /etc/resolv.conf}. */
    Optional<String> servers();
}
