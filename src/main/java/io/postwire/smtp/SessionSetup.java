package io.postwire.smtp;

import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Brings a fresh connection to the point where it can carry mail transactions: reads the 220
 * greeting, says EHLO (HELO when EHLO is refused with 5xx, RFC 5321 §4.1.1.1), upgrades with
 * STARTTLS according to the {@link TlsMode} and says EHLO again (RFC 3207 §4.2), then
 * authenticates with AUTH PLAIN or LOGIN (RFC 4954), or XOAUTH2 with an OAuth 2.0 token
 * ({@link Xoauth2Login}), when credentials are configured.
 *
 * <p>Fails with an {@link AttemptFailure}: the server's reply when it refused a step, a reason
 * when the network failed or our own policy (TLS required, no AUTH without TLS) forbids going on.
 */
final class SessionSetup {

    private final SmtpConnection conn;
    private final RelayTarget target;

    private SessionSetup(SmtpConnection conn) {
        this.conn = conn;
        this.target = conn.target();
    }

    static Future<SmtpConnection> run(SmtpConnection conn) {
        SessionSetup setup = new SessionSetup(conn);
        return conn.expect(setup.target.commandTimeout(), "the greeting")
                .compose(setup::greeting)
                .compose(v -> setup.hello(true))
                .compose(v -> setup.startTls())
                .compose(v -> setup.authenticate())
                .map(conn);
    }

    private Future<Void> greeting(ServerReply greeting) {
        if (greeting.code() != 220) {
            // 554 or 421 instead of 220 means "no service here" (RFC 5321 §3.1, §4.3.2).
            return Future.failedFuture(AttemptFailure.greetingRefused(greeting.reply()));
        }
        return Future.succeededFuture();
    }

    private Future<Void> hello(boolean heloFallbackAllowed) {
        return command("EHLO " + target.heloName()).compose(r -> {
            if (r.code() == 250) {
                conn.capabilities(EhloCapabilities.parse(r.lines()));
                return Future.succeededFuture();
            }
            if (heloFallbackAllowed && r.reply().isPermanent()) {
                // Pre-ESMTP server: HELO works but offers no extensions at all.
                return command("HELO " + target.heloName()).compose(h -> h.code() == 250
                        ? Future.succeededFuture()
                        : Future.failedFuture(AttemptFailure.verdict(h.reply())));
            }
            return Future.failedFuture(AttemptFailure.verdict(r.reply()));
        });
    }

    private Future<Void> startTls() {
        if (target.tlsMode() == TlsMode.OFF) {
            return Future.succeededFuture();
        }
        boolean required = target.tlsMode() == TlsMode.REQUIRED || target.tlsMode() == TlsMode.VERIFIED;
        if (!conn.capabilities().startTls()) {
            return required
                    ? Future.failedFuture(AttemptFailure.tls(TlsFailure.STARTTLS_NOT_SUPPORTED,
                            "TLS required but " + target.address() + " does not offer STARTTLS"))
                    : Future.succeededFuture();
        }
        return command("STARTTLS").compose(r -> {
            if (r.code() == 421) {
                // RFC 5321 §3.8: the server is closing the channel; carrying on in plain text would
                // only lose its reply to "connection closed".
                return Future.failedFuture(AttemptFailure.verdict(r.reply()));
            }
            if (r.code() != 220) {
                // Refused STARTTLS leaves the session in plain text, usable when TLS is optional.
                return required
                        ? Future.failedFuture(AttemptFailure.tls(TlsFailure.STARTTLS_NOT_SUPPORTED,
                                "TLS required but STARTTLS was refused: " + r.reply()))
                        : Future.succeededFuture();
            }
            // RFC 3207 §4.2: forget everything learned before the handshake and ask again.
            conn.capabilities(EhloCapabilities.NONE);
            return conn.upgradeToTls().compose(v -> hello(false));
        });
    }

    private Future<Void> authenticate() {
        if (target.credentials().isEmpty()) {
            return Future.succeededFuture();
        }
        if (!conn.isTls()) {
            return Future.failedFuture(AttemptFailure.network("refusing AUTH without TLS"));
        }
        SmtpCredentials creds = target.credentials().get();
        var offered = conn.capabilities().auth();
        if (offered.contains(AuthMechanism.PLAIN) && creds.mechanisms().contains(AuthMechanism.PLAIN)) {
            return authPlain(creds);
        }
        if (offered.contains(AuthMechanism.LOGIN) && creds.mechanisms().contains(AuthMechanism.LOGIN)) {
            return authLogin(creds);
        }
        if (offered.contains(AuthMechanism.XOAUTH2) && creds.mechanisms().contains(AuthMechanism.XOAUTH2)) {
            // Only now is a token fetched: never for a session that could not use it.
            return Xoauth2Login.run(conn, creds);
        }
        return Future.failedFuture(AttemptFailure.network("no usable AUTH mechanism: server offers "
                + offered + ", credentials allow " + creds.mechanisms()));
    }

    private Future<Void> authPlain(SmtpCredentials creds) {
        // RFC 4616: authzid (empty) NUL authcid NUL passwd, sent as the initial response.
        String response = base64("\0" + creds.username() + "\0" + creds.password());
        return command("AUTH PLAIN " + response).compose(this::authenticated);
    }

    private Future<Void> authLogin(SmtpCredentials creds) {
        return command("AUTH LOGIN")
                .compose(r -> challenge(r, creds.username()))
                .compose(r -> challenge(r, creds.password()))
                .compose(this::authenticated);
    }

    private Future<ServerReply> challenge(ServerReply r, String answer) {
        if (r.code() != 334) {
            return Future.failedFuture(AttemptFailure.authenticationRefused(r.reply()));
        }
        return command(base64(answer));
    }

    private Future<Void> authenticated(ServerReply r) {
        return r.code() == 235
                ? Future.succeededFuture()
                : Future.failedFuture(AttemptFailure.authenticationRefused(r.reply()));
    }

    private Future<ServerReply> command(String line) {
        conn.write(line + "\r\n");
        return conn.expect(target.commandTimeout());
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
