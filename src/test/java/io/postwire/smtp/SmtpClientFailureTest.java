package io.postwire.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.testsupport.TestSmtpServer;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Server refusals and network failures end as values, never as a failed Uni. */
class SmtpClientFailureTest extends SmtpClientTestBase {

    private static final Duration SHORT = Duration.ofMillis(400);
    private static final Buffer MESSAGE = Buffer.buffer("Subject: t\r\n\r\nbody\r\n");

    private SmtpResult send(RelayTarget target, SmtpEnvelope env) {
        client = new SmtpClient(vertx, target);
        return client.send(env, MESSAGE).await().atMost(Duration.ofSeconds(20));
    }

    private static RelayTarget plain(int port) {
        return quick("127.0.0.1", port, TlsMode.OFF, false);
    }

    @Test
    void aRefusingGreetingIsTheVerdictForEveryRecipient() {
        server = TestSmtpServer.start(TestSmtpServer.Options.defaults().withGreeting("421 4.3.2 busy"));

        SmtpResult result = send(plain(server.port()), SmtpEnvelope.of("a@example.org", "b@example.net", "c@example.net"));

        for (RecipientResult r : result.recipients()) {
            assertNull(r.failure());
            assertEquals("421 4.3.2 busy", r.reply().toString());
            assertTrue(r.reply().isTransient());
        }
    }

    @Test
    void aClosedPortIsAFailureNotAReply() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }

        SmtpResult result = send(plain(closedPort), SmtpEnvelope.of("a@example.org", "b@example.net"));

        RecipientResult r = result.recipient("b@example.net");
        assertNull(r.reply());
        assertTrue(r.failure().contains("cannot connect to 127.0.0.1:" + closedPort), r.failure());
    }

    @Test
    void aServerThatNeverGreetsHitsTheCommandTimeout() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (Socket s = silent.accept()) {
                    s.getInputStream().read(); // hold the connection open, say nothing
                } catch (IOException ignored) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            long start = System.nanoTime();

            SmtpResult result = send(plain(silent.getLocalPort()).withTimeouts(Duration.ofSeconds(5), SHORT, SHORT),
                    SmtpEnvelope.of("a@example.org", "b@example.net"));

            long millis = (System.nanoTime() - start) / 1_000_000;
            RecipientResult r = result.recipient("b@example.net");
            assertNull(r.reply());
            assertTrue(r.failure().startsWith("timeout after 400 ms"), r.failure());
            assertTrue(millis >= 350 && millis < 4000, "took " + millis + " ms");
        }
    }

    @Test
    void aServerThatNeverAnswersTheFinalDotHitsTheDataTimeout() {
        server = TestSmtpServer.start(TestSmtpServer.Options.defaults().withHangAfterData());

        SmtpResult result = send(plain(server.port()).withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), SHORT),
                SmtpEnvelope.of("a@example.org", "b@example.net"));

        RecipientResult r = result.recipient("b@example.net");
        assertNull(r.reply());
        assertTrue(r.failure().startsWith("timeout after 400 ms"), r.failure());
    }

    @Test
    void aDisconnectInTheMiddleOfTheTransactionIsAFailure() {
        server = TestSmtpServer.start();

        SmtpResult result = send(plain(server.port()),
                SmtpEnvelope.of("a@example.org", "ok@example.net", "disconnect@example.net"));

        for (RecipientResult r : result.recipients()) {
            assertNull(r.reply(), r.toString());
            assertTrue(r.failure().contains("connection closed"), r.failure());
        }
        assertTrue(server.messages().isEmpty());
    }

    @Test
    void requiredTlsWithoutStartTlsFailsTransientlyAndSendsNothing() {
        server = TestSmtpServer.start();

        SmtpResult result = send(plain(server.port()).withTls(TlsMode.REQUIRED, true),
                SmtpEnvelope.of("a@example.org", "b@example.net"));

        RecipientResult r = result.recipient("b@example.net");
        assertNull(r.reply());
        assertNotNull(r.failure());
        assertTrue(r.failure().contains("does not offer STARTTLS"), r.failure());
        assertFalse(result.tlsUsed());
        assertTrue(server.messages().isEmpty());
        assertFalse(server.commands().stream().anyMatch(c -> c.startsWith("MAIL")), server.commands().toString());
    }
}
