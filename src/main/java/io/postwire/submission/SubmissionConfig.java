package io.postwire.submission;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SMTP submission door (RFC 6409). The port comes from {@code POSTWIRE_SUBMISSION_PORT};
 * without a certificate there is no STARTTLS and therefore no AUTH, so only trusted networks can
 * submit: the server never offers credentials over plain text.
 */
@ConfigMapping(prefix = "postwire.submission")
public interface SubmissionConfig {

    @WithDefault("true")
    boolean enabled();

    @WithDefault("0.0.0.0")
    String host();

    @WithDefault("587")
    int port();

    /** Implicit TLS ("submissions", RFC 8314) on this port as well, e.g. 465; off when absent. */
    @WithName("implicit-tls-port")
    Optional<Integer> implicitTlsPort();

    /** PEM certificate chain for STARTTLS and implicit TLS. */
    @WithName("tls.certificate-file")
    Optional<String> certificateFile();

    /** PEM private key matching the certificate. */
    @WithName("tls.key-file")
    Optional<String> keyFile();

    /**
     * Networks that may submit without AUTH, like Postfix's {@code mynetworks} (CIDR list, empty by
     * default), so existing relays and load tools can point at Postwire.
     */
    @WithName("trusted-networks")
    Optional<List<String>> trustedNetworks();

    /**
     * Sender domains an API key may use as MAIL FROM when it authenticates; empty means the DKIM
     * signing domains.
     */
    @WithName("sender-domains")
    Optional<List<String>> senderDomains();

    /** Named accounts besides API keys: user name → password hash and allowed sender domains. */
    Map<String, Account> accounts();

    @WithName("max-message-bytes")
    @WithDefault("5242880")
    long maxMessageBytes();

    @WithName("max-recipients")
    @WithDefault("100")
    int maxRecipients();

    @WithName("max-line-length")
    @WithDefault("1000")
    int maxLineLength();

    @WithName("command-timeout")
    @WithDefault("PT5M")
    Duration commandTimeout();

    @WithName("idle-timeout")
    @WithDefault("PT5M")
    Duration idleTimeout();

    @WithName("max-connections")
    @WithDefault("1000")
    int maxConnections();

    @WithName("max-connections-per-ip")
    @WithDefault("50")
    int maxConnectionsPerIp();

    /** Wait before answering a failed AUTH: slows password guessing, costs nothing to real clients. */
    @WithName("auth-failure-delay")
    @WithDefault("PT2S")
    Duration authFailureDelay();

    @WithName("max-auth-failures-per-ip")
    @WithDefault("10")
    int maxAuthFailuresPerIp();

    @WithName("auth-failure-window")
    @WithDefault("PT15M")
    Duration authFailureWindow();

    /** One named submission account. */
    interface Account {
        /** {@code pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>}; see {@link PasswordHash}. */
        @WithName("password-hash")
        String passwordHash();

        /** Domains this account may send from (subdomains included). */
        List<String> domains();
    }
}
