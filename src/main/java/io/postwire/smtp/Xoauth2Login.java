package io.postwire.smtp;

import io.postwire.oauth.AccessToken;
import io.postwire.oauth.TokenSource;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The SASL XOAUTH2 exchange of {@link SessionSetup}: {@code AUTH XOAUTH2} with the initial
 * response {@code base64("user=" user ^A "auth=Bearer " token ^A ^A)} (RFC 4954 §4 for the
 * initial response, Google's and Microsoft's XOAUTH2 description for its content).
 *
 * <p>A server that refuses the token either answers 535 at once (Microsoft:
 * {@code 535 5.7.3 Authentication unsuccessful}) or first sends {@code 334} with a base64 JSON
 * error, which the client must acknowledge with an empty line before the final 535 comes.
 *
 * <p>On 535 the token is invalidated. A token can be revoked before its {@code expires_in} (a
 * password reset, an admin revoking sessions), so a rejected token is retried once with a freshly
 * fetched one on the same connection; a second 535 is the server's verdict, reported like a
 * refused password (the credentials or the mailbox's permissions are wrong). Other replies,
 * {@code 454 4.7.0} among them, are reported as they are: a 4xx is transient for the caller.
 * When no token can be had, the attempt fails at network level (transient) and no AUTH is sent.
 */
final class Xoauth2Login {

    private final SmtpConnection conn;
    private final String username;
    private final TokenSource tokens;

    private Xoauth2Login(SmtpConnection conn, SmtpCredentials creds) {
        this.conn = conn;
        this.username = creds.username();
        this.tokens = creds.tokens();
    }

    static Future<Void> run(SmtpConnection conn, SmtpCredentials creds) {
        return new Xoauth2Login(conn, creds).attempt(true);
    }

    private Future<Void> attempt(boolean mayRetry) {
        return fetchToken().compose(token -> command("AUTH XOAUTH2 " + initialResponse(token))
                // The 334 carries the server's error details; an empty line ends the exchange.
                .compose(r -> r.code() == 334 ? command("") : Future.succeededFuture(r))
                .compose(r -> verdict(r, token, mayRetry)));
    }

    private Future<Void> verdict(ServerReply r, AccessToken token, boolean mayRetry) {
        if (r.code() == 235) {
            return Future.succeededFuture();
        }
        if (r.code() == 535) {
            tokens.invalidate(token);
            if (mayRetry && conn.brokenReason() == null) {
                return attempt(false);
            }
        }
        return Future.failedFuture(AttemptFailure.authenticationRefused(r.reply()));
    }

    /**
     * The token, delivered back on this connection's context: a token source completes on its own
     * HTTP client's event loop, and the connection is confined to ours. Bounded by the command
     * timeout, since no reply timer runs while we wait.
     */
    private Future<AccessToken> fetchToken() {
        Context here = Vertx.currentContext();
        Promise<AccessToken> result = Promise.promise();
        long ms = conn.target().commandTimeout().toMillis();
        long timer = here == null ? -1 : here.owner().setTimer(ms, id -> result.tryFail(
                AttemptFailure.network("no OAuth2 access token within " + ms + " ms")));
        Future<AccessToken> token;
        try {
            token = tokens.token();
        } catch (RuntimeException e) {
            token = Future.failedFuture(e);
        }
        token.onComplete(ar -> {
            Runnable settle = () -> {
                if (timer >= 0) {
                    here.owner().cancelTimer(timer);
                }
                if (ar.succeeded()) {
                    result.tryComplete(ar.result());
                } else {
                    result.tryFail(AttemptFailure.network("cannot get an OAuth2 access token: " + reason(ar.cause())));
                }
            };
            if (here == null || Vertx.currentContext() == here) {
                settle.run();
            } else {
                here.runOnContext(v -> settle.run());
            }
        });
        return result.future();
    }

    private String initialResponse(AccessToken token) {
        String response = "user=" + username + "\u0001auth=Bearer " + token.value() + "\u0001\u0001";
        return Base64.getEncoder().encodeToString(response.getBytes(StandardCharsets.UTF_8));
    }

    private Future<ServerReply> command(String line) {
        conn.write(line + "\r\n");
        return conn.expect(conn.target().commandTimeout());
    }

    private static String reason(Throwable cause) {
        // OAuth2TokenSource's messages are complete sentences already scrubbed of secrets.
        return cause.getMessage() != null ? cause.getMessage() : AttemptFailure.reasonOf(cause);
    }
}
