package io.postwire.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.testsupport.TestSmtpServer;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Connection reuse, limits and retirement, observed through the server's connection count. */
class SmtpClientPoolTest {

    private final Vertx vertx = Vertx.vertx();
    private final TestSmtpServer server = TestSmtpServer.start();
    private SmtpClient client;

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close().await().atMost(Duration.ofSeconds(10));
        }
        server.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private SmtpClient client(int connections, int messagesPerConnection, Duration idle) {
        client = new SmtpClient(vertx, RelayTarget.of(server.host(), server.port())
                .withTls(TlsMode.OFF, false)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5))
                .withPool(connections, messagesPerConnection, idle));
        return client;
    }

    private List<SmtpResult> sendConcurrently(int count, String recipientPrefix) {
        List<Uni<SmtpResult>> sends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sends.add(client.send(SmtpEnvelope.of("a@example.org", recipientPrefix + i + "@example.net"),
                    Buffer.buffer("Subject: " + i + "\r\n\r\nbody " + i + "\r\n")));
        }
        return Uni.join().all(sends).andFailFast().await().atMost(Duration.ofSeconds(60));
    }

    @Test
    void fiftyConcurrentSendsShareAtMostTwoConnections() {
        client(2, 1000, Duration.ofSeconds(30));

        List<SmtpResult> results = sendConcurrently(50, "user");

        assertEquals(50, results.size());
        results.forEach(r -> assertTrue(r.allAccepted(), r.toString()));
        assertEquals(50, server.awaitMessages(50, Duration.ofSeconds(10)).size());
        assertTrue(server.connectionCount() <= 2, "connections: " + server.connectionCount());
        assertTrue(server.connectionCount() >= 1);
    }

    @Test
    void aConnectionIsRetiredAfterMaxMessagesPerConnection() {
        client(1, 10, Duration.ofSeconds(30));

        sendConcurrently(30, "user").forEach(r -> assertTrue(r.allAccepted(), r.toString()));

        assertEquals(3, server.connectionCount());
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws InterruptedException {
        client(1, 100, Duration.ofMillis(200));

        sendConcurrently(1, "first");
        Thread.sleep(600);
        sendConcurrently(1, "second");

        assertEquals(2, server.connectionCount());
        assertTrue(server.commands().contains("QUIT"), server.commands().toString());
    }

    @Test
    void aConnectionIsResetAndReusedAfterAFailedTransaction() {
        client(1, 100, Duration.ofSeconds(30));

        SmtpResult refused = sendConcurrently(1, "permfail").get(0);
        SmtpResult accepted = sendConcurrently(1, "ok").get(0);

        assertEquals(550, refused.recipients().get(0).reply().code());
        assertTrue(accepted.allAccepted(), accepted.toString());
        assertEquals(1, server.connectionCount());
        List<String> commands = server.commands();
        int rset = commands.indexOf("RSET");
        int secondMail = -1;
        for (int i = 0; i < commands.size(); i++) {
            if (commands.get(i).startsWith("MAIL FROM:")) {
                secondMail = i;
            }
        }
        assertTrue(rset > 0 && rset < secondMail, commands.toString());
    }

    @Test
    void aPooledConnectionTheServerDroppedIsReplacedTransparently() throws InterruptedException {
        client(1, 100, Duration.ofSeconds(30));
        sendConcurrently(1, "first").forEach(r -> assertTrue(r.allAccepted(), r.toString()));

        server.dropConnections();
        Thread.sleep(200);
        SmtpResult second = sendConcurrently(1, "second").get(0);

        assertTrue(second.allAccepted(), second.toString());
        assertEquals(2, server.connectionCount());
    }

    @Test
    void sendsAfterCloseAreFailuresAndCloseCompletes() {
        client(2, 100, Duration.ofSeconds(30));
        sendConcurrently(3, "user");

        client.close().await().atMost(Duration.ofSeconds(10));
        SmtpResult late = client.send(SmtpEnvelope.of("a@example.org", "b@example.net"), Buffer.buffer("x\r\n"))
                .await().atMost(Duration.ofSeconds(5));

        assertEquals("SMTP client is closed", late.recipients().get(0).failure());
        client = null;
    }
}
