package io.postwire.dispatch;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/**
 * How to reach one smarthost: the shape shared by the global relay ({@code postwire.relay.*},
 * {@link RelayConfig}) and each per-domain route ({@code postwire.routes.<name>.*},
 * {@link RoutesConfig}), so that one parser ({@link Smarthost}) turns either into a target.
 */
public interface SmarthostConfig {

    /** Host name or IP; required for a route, unset for the relay means direct to MX. */
    Optional<String> host();

    /** Port; 587 for submission smarthosts. */
    @WithDefault("25")
    int port();

    /** off, optional (STARTTLS when offered) or required. */
    @WithDefault("optional")
    String tls();

    /** Accept any server certificate. Only for local sinks and tests. */
    @WithName("trust-all")
    @WithDefault("false")
    boolean trustAll();

    /** AUTH user; with a password, AUTH is used (only ever after TLS). */
    Optional<String> username();

    Optional<String> password();

    /**
     * Force PLAIN or LOGIN; by default PLAIN when the server offers it, else LOGIN. XOAUTH2 is chosen
     * by setting {@code oauth.token-url}, not here.
     */
    @WithName("auth-mechanism")
    Optional<String> authMechanism();

    @WithName("max-connections")
    @WithDefault("20")
    int maxConnections();

    @WithName("max-messages-per-connection")
    @WithDefault("100")
    int maxMessagesPerConnection();

    @WithName("connect-timeout")
    @WithDefault("PT30S")
    Duration connectTimeout();

    /** Per reply; RFC 5321 §4.5.3.2 suggests minutes, relays answer in well under that. */
    @WithName("command-timeout")
    @WithDefault("PT60S")
    Duration commandTimeout();

    /** For the reply to the final "." (RFC 5321 suggests 10 minutes). */
    @WithName("data-timeout")
    @WithDefault("PT5M")
    Duration dataTimeout();

    @WithName("idle-timeout")
    @WithDefault("PT30S")
    Duration idleTimeout();

    /** OAuth2 for SASL XOAUTH2 (Microsoft 365 / Outlook.com); setting the token URL switches AUTH to it. */
    Oauth oauth();

    /** Where and how the smarthost's access token is obtained; see docs/smarthosts.md. */
    interface Oauth {
        @WithName("token-url")
        Optional<String> tokenUrl();

        @WithName("client-id")
        Optional<String> clientId();

        @WithName("client-secret")
        Optional<String> clientSecret();

        @WithName("refresh-token")
        Optional<String> refreshToken();

        @WithDefault("https://outlook.office365.com/.default")
        String scope();

        @WithDefault("PT10S")
        Duration timeout();

        /** {@code form} (Microsoft) or {@code basic}. */
        @WithName("client-auth")
        @WithDefault("form")
        String clientAuth();
    }
}
