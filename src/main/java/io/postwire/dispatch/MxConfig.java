package io.postwire.dispatch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Direct-to-MX delivery, used when no relay host is set ({@code postwire.relay.host} empty):
 * where the DNS is, which port the mail exchangers listen on and how sessions to them behave.
 */
@ConfigMapping(prefix = "postwire.mx")
public interface MxConfig {

    /** Port of every mail exchanger (env {@code POSTWIRE_MX_PORT}); only tests use another than 25. */
    @WithDefault("25")
    int port();

    /**
     * STARTTLS towards exchangers without an MTA-STS policy: {@code optional} (opportunistic,
     * certificate not checked, RFC 7435), {@code off} or {@code required}.
     */
    @WithDefault("optional")
    String tls();

    /**
     * STARTTLS for particular recipient domains, overriding {@link #tls()}:
     * {@code postwire.mx.domain-tls."bank.example"=required}. Values {@code off}, {@code optional},
     * {@code required}, or {@code verified} (required, and the certificate must chain to the trust
     * store and name the MX host, as under an MTA-STS policy). An MTA-STS policy the domain
     * publishes still takes precedence. Exact domain names, lower case.
     */
    @WithName("domain-tls")
    Map<String, String> domainTls();

    /** Connections per exchanger when shaping is off (with shaping, the site's max-connections). */
    @WithName("max-connections")
    @WithDefault("10")
    int maxConnections();

    /** Transactions per connection when shaping is off. */
    @WithName("max-messages-per-connection")
    @WithDefault("100")
    int maxMessagesPerConnection();

    @WithName("connect-timeout")
    @WithDefault("PT30S")
    Duration connectTimeout();

    /** Per reply (RFC 5321 §4.5.3.2 suggests 5 minutes; a hanging exchanger holds a connection that long). */
    @WithName("command-timeout")
    @WithDefault("PT5M")
    Duration commandTimeout();

    /** For the reply after the final dot (RFC 5321: 10 minutes). */
    @WithName("data-timeout")
    @WithDefault("PT10M")
    Duration dataTimeout();

    /** An idle pooled connection to an exchanger is closed after this long. */
    @WithName("idle-timeout")
    @WithDefault("PT30S")
    Duration idleTimeout();

    /** A whole client (pool) for an exchanger unused this long is closed and forgotten. */
    @WithName("client-eviction")
    @WithDefault("PT5M")
    Duration clientEviction();

    /** Ingest waits this long for the MX lookup that names a send's site, then keys by domain. */
    @WithName("key-lookup-timeout")
    @WithDefault("PT2S")
    Duration keyLookupTimeout();

    /**
     * MTA-STS (RFC 8461): {@code enforce-policies} obeys the policies recipient domains publish
     * (enforce: only the MX hosts named, verified TLS, else defer; testing: check and record,
     * deliver anyway); {@code off} ignores them (opportunistic TLS for every domain).
     */
    @WithName("mta-sts")
    @WithDefault("enforce-policies")
    String mtaSts();

    /**
     * Trust anchors for MTA-STS, both the policy hosts' HTTPS and the MX certificates under a
     * policy: a PEM file of certificates, or a PKCS#12 store ({@code .p12}/{@code .pfx}). Unset
     * means the JVM's trust store (WebPKI, what RFC 8461 asks); tests put their own CA here.
     */
    @WithName("tls-trust-store")
    Optional<String> tlsTrustStore();

    /** Password of a PKCS#12 {@code tls-trust-store}; unused for PEM. */
    @WithName("tls-trust-store-password")
    Optional<String> tlsTrustStorePassword();

    /** Port of the {@code https://mta-sts.<domain>} policy hosts: 443; only tests use another. */
    @WithName("mta-sts-policy-port")
    @WithDefault("443")
    int mtaStsPolicyPort();
}
