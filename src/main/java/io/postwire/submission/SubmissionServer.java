package io.postwire.submission;

import io.micrometer.core.instrument.MeterRegistry;
import io.postwire.bus.AtomicPublisher;
import io.postwire.dispatch.DispatchConfig;
import io.postwire.dispatch.SiteRouter;
import io.postwire.smtpd.Cidr;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/** Opens the submission port (and the implicit-TLS port when configured) at start-up. */
@ApplicationScoped
public class SubmissionServer {

    private static final Logger LOG = Logger.getLogger(SubmissionServer.class);

    private final SubmissionConfig config;
    private final DispatchConfig dispatch;
    private final SubmissionAccounts accounts;
    private final AtomicPublisher publisher;
    private final SiteRouter sites;
    private final MeterRegistry registry;
    private final Vertx vertx;
    private final List<SmtpdServer> servers = new ArrayList<>();

    SubmissionServer(SubmissionConfig config, DispatchConfig dispatch, SubmissionAccounts accounts,
            AtomicPublisher publisher, SiteRouter sites, MeterRegistry registry, Vertx vertx) {
        this.config = config;
        this.dispatch = dispatch;
        this.accounts = accounts;
        this.publisher = publisher;
        this.sites = sites;
        this.registry = registry;
        this.vertx = vertx;
    }

    void start(@Observes @Priority(200) StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        Optional<TlsMaterial> tls = tls();
        if (tls.isEmpty()) {
            LOG.warn("submission has no TLS certificate (postwire.submission.tls.*): no STARTTLS, so no AUTH;"
                    + " only trusted networks can submit");
        }
        SubmissionHandler handler = new SubmissionHandler(vertx, accounts, publisher, sites, registry, Clock.systemUTC());
        servers.add(open(options("submission", config.port(), false, tls), handler));
        config.implicitTlsPort().ifPresent(port -> {
            if (tls.isEmpty()) {
                throw new IllegalStateException("postwire.submission.implicit-tls-port needs tls.certificate-file and tls.key-file");
            }
            servers.add(open(options("submissions", port, true, tls), handler));
        });
    }

    /** The bound port of the STARTTLS listener (a random one when configured as 0). */
    public int port() {
        return servers.isEmpty() ? -1 : servers.get(0).actualPort();
    }

    private SmtpdServer open(SmtpdOptions options, SubmissionHandler handler) {
        SmtpdServer server = SmtpdServer.start(vertx, options, handler).toCompletionStage().toCompletableFuture().join();
        LOG.infof("SMTP %s listening on %s:%d", options.name(), options.host(), server.actualPort());
        return server;
    }

    private SmtpdOptions options(String name, int port, boolean implicitTls, Optional<TlsMaterial> tls) {
        List<Cidr> trusted = config.trustedNetworks().orElse(List.of()).stream()
                .map(String::strip).filter(s -> !s.isEmpty()).map(Cidr::parse).toList();
        return new SmtpdOptions(name, config.host(), port, dispatch.heloName(), implicitTls, tls,
                true, true, trusted, config.maxMessageBytes(), config.maxRecipients(), config.maxLineLength(),
                config.commandTimeout(), config.idleTimeout(), config.maxConnections(), config.maxConnectionsPerIp(),
                config.authFailureDelay(), config.maxAuthFailuresPerIp(), config.authFailureWindow());
    }

    private Optional<TlsMaterial> tls() {
        return TlsMaterial.fromConfig("postwire.submission.tls", config.certificateFile(), config.keyFile());
    }

    void stop(@Observes ShutdownEvent event) {
        for (SmtpdServer s : servers) {
            s.close().toCompletionStage().toCompletableFuture().join();
        }
        servers.clear();
    }
}
