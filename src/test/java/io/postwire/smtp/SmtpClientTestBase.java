package io.postwire.smtp;

import io.postwire.testsupport.TestSmtpServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/** The shared fixture of the SMTP client tests: one Vert.x, one test server, one client. */
abstract class SmtpClientTestBase {

    protected final Vertx vertx = Vertx.vertx();
    protected TestSmtpServer server;
    protected SmtpClient client;

    @AfterEach
    void closeFixture() {
        if (client != null) {
            client.close().await().atMost(Duration.ofSeconds(10));
        }
        if (server != null) {
            server.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** A relay target without TLS and with short timeouts, so a hang fails fast. */
    protected static RelayTarget quick(String host, int port, TlsMode tls, boolean trustAll) {
        return RelayTarget.of(host, port).withTls(tls, trustAll)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));
    }
}
