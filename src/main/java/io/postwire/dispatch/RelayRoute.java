package io.postwire.dispatch;

import io.postwire.smtp.RelayTarget;
import io.postwire.smtp.SmtpClient;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The smarthost route, when {@code postwire.relay.host} is set: every send goes through it. Without
 * it mail goes direct to MX ({@link SiteRouter}, {@link MxDelivery}), except the domains and sites
 * a per-domain route ({@link SmarthostRoutes}) claims.
 */
@ApplicationScoped
public class RelayRoute {

    private final RelayConfig relay;
    private final Smarthost smarthost;

    RelayRoute(RelayConfig relay, DispatchConfig dispatch, Vertx vertx) {
        this.relay = relay;
        this.smarthost = new Smarthost("postwire.relay", relay, dispatch.heloName(), vertx);
    }

    SmtpClient client() {
        return smarthost.client();
    }

    RelayTarget target() {
        if (relay.host().filter(h -> !h.isBlank()).isEmpty()) {
            throw new IllegalStateException(
                    "POSTWIRE_RELAY_HOST is not set: mail goes direct to MX, not through a relay");
        }
        return smarthost.target();
    }

    void stop(@Observes ShutdownEvent event) {
        smarthost.close();
    }
}
