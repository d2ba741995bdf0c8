package io.postwire.inbound;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/**
 * The inbound door for bounces and complaints ({@code POSTWIRE_INBOUND_PORT}, 25 in production).
 * It accepts mail only for the bounce domain's signed return paths and feedback address, so it
 * is no relay and no mailbox for anything else.
 */
@ConfigMapping(prefix = "postwire.inbound")
public interface InboundConfig {

    /** On by default; it only opens when a bounce domain is configured (it has nothing to accept otherwise). */
    @WithDefault("true")
    boolean enabled();

    @WithDefault("0.0.0.0")
    String host();

    @WithDefault("25")
    int port();

    /** Optional STARTTLS for senders that want it (no AUTH is offered here). */
    @WithName("tls.certificate-file")
    Optional<String> certificateFile();

    @WithName("tls.key-file")
    Optional<String> keyFile();

    @WithName("max-message-bytes")
    @WithDefault("5242880")
    long maxMessageBytes();

    @WithName("max-recipients")
    @WithDefault("50")
    int maxRecipients();

    @WithName("command-timeout")
    @WithDefault("PT5M")
    Duration commandTimeout();

    @WithName("max-connections")
    @WithDefault("500")
    int maxConnections();

    @WithName("max-connections-per-ip")
    @WithDefault("20")
    int maxConnectionsPerIp();
}
