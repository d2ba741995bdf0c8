package io.postwire.dispatch;

import io.postwire.oauth.ClientAuthentication;
import io.postwire.oauth.OAuth2Settings;
import io.postwire.oauth.OAuth2TokenSource;
import io.postwire.smtp.AuthMechanism;
import io.postwire.smtp.RelayTarget;
import io.postwire.smtp.SmtpClient;
import io.postwire.smtp.SmtpCredentials;
import io.postwire.smtp.TlsMode;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * One smarthost made from its {@link SmarthostConfig}: the target (TLS, AUTH PLAIN / LOGIN, or
 * XOAUTH2 with a token fetched and refreshed by us) and its pooled client, made on first use. The
 * one parser of smarthost settings, for the global relay and for every per-domain route alike.
 */
final class Smarthost {

    private final String keyPrefix;
    private final SmarthostConfig config;
    private final String heloName;
    private final Vertx vertx;
    private volatile SmtpClient client;
    private OAuth2TokenSource tokens;

    /**
     * @param keyPrefix the configuration prefix ({@code postwire.relay}, {@code postwire.routes.m365}),
     *                  named in start-up errors so the operator sees which key is wrong
     */
    Smarthost(String keyPrefix, SmarthostConfig config, String heloName, Vertx vertx) {
        this.keyPrefix = keyPrefix;
        this.config = config;
        this.heloName = heloName;
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

    /** The target; throws {@link IllegalStateException} naming the key of a setting that is wrong. */
    RelayTarget target() {
        String host = config.host().filter(h -> !h.isBlank()).orElseThrow(() -> new IllegalStateException(
                keyPrefix + ".host is not set"));
        TlsMode tls;
        try {
            tls = TlsMode.valueOf(config.tls().strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(keyPrefix + ".tls must be off, optional or required: " + config.tls());
        }
        return new RelayTarget(host, config.port(), tls, config.trustAll(), credentials(), heloName,
                config.connectTimeout(), config.commandTimeout(), config.dataTimeout(), config.maxConnections(),
                config.maxMessagesPerConnection(), config.idleTimeout());
    }

    private Optional<SmtpCredentials> credentials() {
        SmarthostConfig.Oauth oauth = config.oauth();
        if (oauth.tokenUrl().filter(u -> !u.isBlank()).isPresent()) {
            if (config.password().isPresent()) {
                throw new IllegalStateException(keyPrefix + ".password and " + keyPrefix + ".oauth.token-url are"
                        + " both set: XOAUTH2 uses the token, remove the password");
            }
            String user = config.username().orElseThrow(() -> new IllegalStateException(
                    "XOAUTH2 needs " + keyPrefix + ".username (the mailbox that sends)"));
            OAuth2Settings settings = new OAuth2Settings(URI.create(oauth.tokenUrl().get().strip()),
                    oauth.clientId().orElseThrow(() -> new IllegalStateException(
                            keyPrefix + ".oauth.client-id is required")),
                    oauth.clientSecret().orElse(""), oauth.refreshToken().filter(t -> !t.isBlank()), oauth.scope(),
                    oauth.timeout(), ClientAuthentication.valueOf(oauth.clientAuth().toUpperCase(Locale.ROOT)));
            synchronized (this) {
                if (tokens == null) {
                    tokens = new OAuth2TokenSource(vertx, settings);
                }
            }
            return Optional.of(SmtpCredentials.xoauth2(user, tokens));
        }
        return config.username().flatMap(u -> config.password()
                .map(p -> config.authMechanism()
                        .map(m -> SmtpCredentials.of(u, p, AuthMechanism.valueOf(m.toUpperCase(Locale.ROOT))))
                        .orElseGet(() -> SmtpCredentials.of(u, p))));
    }

    void close() {
        if (client != null) {
            client.close().await().indefinitely();
        }
        synchronized (this) {
            if (tokens != null) {
                tokens.close();
            }
        }
    }
}
