package io.postwire.inbound;

import io.micrometer.core.instrument.MeterRegistry;
import io.postwire.bus.DeadLetters;
import io.postwire.bus.EventPublisher;
import io.postwire.dispatch.DispatchConfig;
import io.postwire.feedback.BounceAddresses;
import io.postwire.smtpd.SmtpdOptions;
import io.postwire.smtpd.SmtpdServer;
import io.postwire.smtpd.TlsMaterial;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.jboss.logging.Logger;

/** Opens the inbound port for bounces and complaints when a bounce domain is configured. */
@ApplicationScoped
public class InboundServer {

    private static final Logger LOG = Logger.getLogger(InboundServer.class);

    private final InboundConfig config;
    private final DispatchConfig dispatch;
    private final BounceAddresses addresses;
    private final SendDirectory directory;
    private final EventPublisher publisher;
    private final DeadLetters deadLetters;
    private final MeterRegistry registry;
    private final Vertx vertx;
    private volatile SmtpdServer server;

    InboundServer(InboundConfig config, DispatchConfig dispatch, BounceAddresses addresses, SendDirectory directory,
            EventPublisher publisher, DeadLetters deadLetters, MeterRegistry registry, Vertx vertx) {
        this.config = config;
        this.dispatch = dispatch;
        this.addresses = addresses;
        this.directory = directory;
        this.publisher = publisher;
        this.deadLetters = deadLetters;
        this.registry = registry;
        this.vertx = vertx;
    }

    void start(@Observes @Priority(200) StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        if (addresses.domain().isEmpty()) {
            LOG.info("inbound SMTP door not opened: no bounce domain (POSTWIRE_BOUNCE_DOMAIN)");
            return;
        }
        InboundHandler handler = new InboundHandler(addresses, directory, publisher, deadLetters, registry,
                Clock.systemUTC());
        SmtpdOptions options = new SmtpdOptions("inbound", config.host(), config.port(), dispatch.heloName(), false,
                TlsMaterial.fromConfig("postwire.inbound.tls", config.certificateFile(), config.keyFile()),
                false, false, List.of(), config.maxMessageBytes(), config.maxRecipients(), 1000,
                config.commandTimeout(), config.commandTimeout(), config.maxConnections(),
                config.maxConnectionsPerIp(), Duration.ZERO, Integer.MAX_VALUE, Duration.ofMinutes(1));
        server = SmtpdServer.start(vertx, options, handler).toCompletionStage().toCompletableFuture().join();
        LOG.infof("SMTP inbound (bounces and complaints for @%s) listening on %s:%d", addresses.domain().get(),
                config.host(), server.actualPort());
    }

    /** The bound port (a random one when configured as 0), or -1 when closed. */
    public int port() {
        SmtpdServer s = server;
        return s == null ? -1 : s.actualPort();
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().join();
            server = null;
        }
    }
}
