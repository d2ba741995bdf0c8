package io.postwire.dispatch;

import io.postwire.oauth.ClientAuthentication;
import io.postwire.oauth.OAuth2Settings;
import io.postwire.oauth.OAuth2TokenSource;
import io.postwire.smtp.AuthMechanism;
import io.postwire.smtp.RelayTarget;
import io.postwire.smtp.SmtpClient;
import io.postwire.smtp.SmtpCredentials;
import io.postwire.smtp.TlsMode;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * The smarthost route, when {@code postwire.relay.host} is set: every send goes through it. Without
 * it mail goes direct to MX ({@link SiteRouter}, {@link MxDelivery}).
 */
@ApplicationScoped
public class RelayRoute {

    private final RelayConfig relay;
    private final DispatchConfig dispatch;
    private final Vertx vertx;
    private volatile SmtpClient client;
    private OAuth2TokenSource tokens;

    RelayRoute(RelayConfig relay, DispatchConfig dispatch, Vertx vertx) {
        this.relay = relay;
        this.dispatch = dispatch;
        this.vertx = vertx;
    }

    SmtpClient client() {
        SmtpClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = new SmtpClient(vertx, target());
                }
                c = client;
            }
        }
        return c;
    }

    RelayTarget target() {
        String host = relay.host().filter(h -> !h.isBlank()).orElseThrow(() -> new IllegalStateException(
                "POSTWIRE_RELAY_HOST is not set: mail goes direct to MX, not through a relay"));
        return new RelayTarget(host, relay.port(), TlsMode.valueOf(relay.tls().toUpperCase(Locale.ROOT)),
                relay.trustAll(), credentials(), dispatch.heloName(), relay.connectTimeout(), relay.commandTimeout(),
                relay.dataTimeout(), relay.maxConnections(), relay.maxMessagesPerConnection(), relay.idleTimeout());
    }

    private Optional<SmtpCredentials> credentials() {
        RelayConfig.Oauth oauth = relay.oauth();
        if (oauth.tokenUrl().filter(u -> !u.isBlank()).isPresent()) {
            if (relay.password().isPresent()) {
                throw new IllegalStateException("POSTWIRE_RELAY_PASSWORD and POSTWIRE_RELAY_OAUTH_TOKEN_URL are"
                        + " both set: XOAUTH2 uses the token, remove the password");
            }
            String user = relay.username().orElseThrow(() -> new IllegalStateException(
                    "XOAUTH2 needs POSTWIRE_RELAY_USERNAME (the mailbox that sends)"));
            OAuth2Settings settings = new OAuth2Settings(URI.create(oauth.tokenUrl().get().strip()),
                    oauth.clientId().orElseThrow(() -> new IllegalStateException("POSTWIRE_RELAY_OAUTH_CLIENT_ID is required")),
                    oauth.clientSecret().orElse(""), oauth.refreshToken().filter(t -> !t.isBlank()), oauth.scope(),
                    oauth.timeout(), ClientAuthentication.valueOf(oauth.clientAuth().toUpperCase(Locale.ROOT)));
            synchronized (this) {
                if (tokens == null) {
                    tokens = new OAuth2TokenSource(vertx, settings);
                }
            }
            return Optional.of(SmtpCredentials.xoauth2(user, tokens));
        }
        return relay.username().flatMap(u -> relay.password()
                .map(p -> relay.authMechanism()
                        .map(m -> SmtpCredentials.of(u, p, AuthMechanism.valueOf(m.toUpperCase(Locale.ROOT))))
                        .orElseGet(() -> SmtpCredentials.of(u, p))));
    }

    void stop(@Observes ShutdownEvent event) {
        if (client != null) {
            client.close().await().indefinitely();
        }
        if (tokens != null) {
            tokens.close();
        }
    }
}
