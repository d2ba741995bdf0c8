package io.postwire.smtpd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.testsupport.PeerTools;
import io.postwire.testsupport.Swaks;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real SMTP clients written by others against the engine: swaks (STARTTLS, AUTH PLAIN and LOGIN)
 * and Postfix's smtp-source (many sessions, many messages, pipelined).
 */
class SmtpdPeerInteropTest {

    /** Dot-stuffing, an empty line, 8-bit text and a long-ish line, all CRLF. */
    private static final byte[] MESSAGE = ("From: Alice <alice@example.test>\r\n"
            + "To: Bob <bob@example.test>\r\n"
            + "Subject: swaks interop\r\n"
            + "\r\n"
            + "first line\r\n"
            + ".a line that starts with a dot\r\n"
            + "\r\n"
            + "caf\u00e9 cr\u00e8me\r\n"
            + "x".repeat(200) + "\r\n"
            + "last line\r\n").getBytes(StandardCharsets.UTF_8);

    private final Vertx vertx = Vertx.vertx();
    private final RecordingHandler handler = new RecordingHandler(vertx);
    private SmtpdServer server;

    @TempDir
    Path tmp;

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertEquals(0, server.connectionCount());
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private void start(SmtpdOptions options) throws Exception {
        server = SmtpdServer.start(vertx, options, handler).toCompletionStage().toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
    }

    private static SmtpdOptions.Builder submission() {
        return SmtpdOptions.defaults("submission", "127.0.0.1", 0).toBuilder()
                .hostname("submission.postwire.test").tls(TestTls.material())
                .offerAuth(true).authRequired(true).authFailureDelay(Duration.ofMillis(10));
    }

    @Test
    void swaksSubmitsWithStartTlsAndAuthPlain() throws Exception {
        swaksSubmits("PLAIN");
    }

    @Test
    void swaksSubmitsWithStartTlsAndAuthLogin() throws Exception {
        swaksSubmits("LOGIN");
    }

    private void swaksSubmits(String mechanism) throws Exception {
        assertNull(PeerTools.ensureSwaks());
        start(submission().build());
        // swaks ends DATA with CRLF "." CRLF after the file, so the file leaves out the last CRLF.
        Path data = tmp.resolve("message.eml");
        Files.write(data, java.util.Arrays.copyOf(MESSAGE, MESSAGE.length - 2));

        Swaks.Result r = swaks("--tls", "--auth", mechanism, "--auth-user", "alice", "--auth-password", "secret",
                "--from", "alice@example.test", "--to", "bob@example.test,carol@example.test",
                "--data", "@" + data);

        assertEquals(0, r.exit(), r.output());
        assertEquals(1, handler.delivered.size(), r.output());
        MailTransaction t = handler.last();
        assertEquals("alice@example.test", t.reversePath());
        assertEquals(List.of("bob@example.test", "carol@example.test"), t.recipients());
        assertArrayEquals(MESSAGE, t.message(), () -> "got:\n" + new String(t.message(), StandardCharsets.UTF_8)
                + "\nswaks:\n" + r.output());
        SessionInfo s = handler.deliveredSessions.get(0);
        assertTrue(s.tls());
        assertEquals("alice", s.authenticatedUser());
        assertTrue(r.output().contains("AUTH " + mechanism), r.output());
    }

    @Test
    void swaksCannotAuthenticateWithoutTls() throws Exception {
        assertNull(PeerTools.ensureSwaks());
        start(submission().build());
        Path data = tmp.resolve("message.eml");
        Files.write(data, MESSAGE);

        // AUTH is not advertised before TLS, so swaks gives up.
        Swaks.Result plain = swaks("--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "secret",
                "--from", "alice@example.test", "--to", "bob@example.test", "--data", "@" + data);
        assertNotEquals(0, plain.exit(), plain.output());
        assertTrue(plain.output().contains("250 STARTTLS"), plain.output());
        assertTrue(!plain.output().contains("AUTH PLAIN LOGIN"), plain.output());

        // Sending the AUTH anyway (swaks --auth-optional goes on without it) is refused as well.
        Swaks.Result forced = swaks("--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "secret",
                "--auth-optional", "--from", "alice@example.test", "--to", "bob@example.test", "--data", "@" + data);
        assertNotEquals(0, forced.exit(), forced.output());
        assertTrue(forced.output().contains("530 5.7.0 Authentication required"), forced.output());

        assertEquals(0, handler.delivered.size());
        assertEquals(0, handler.authCalls.get());
    }

    @Test
    void swaksWrongPasswordIsRefused() throws Exception {
        assertNull(PeerTools.ensureSwaks());
        start(submission().build());

        Swaks.Result r = swaks("--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "wrong",
                "--from", "alice@example.test", "--to", "bob@example.test");

        assertNotEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("535 5.7.8"), r.output());
        assertEquals(0, handler.delivered.size());
    }

    @Test
    void smtpSourceDelivers200MessagesOverFiveSessions() throws Exception {
        assertNull(PeerTools.ensureSmtpSink());
        Path smtpSource = Path.of("/usr/sbin/smtp-source");
        assertTrue(Files.isExecutable(smtpSource), smtpSource + " is missing (package postfix)");
        start(SmtpdOptions.defaults("submission", "127.0.0.1", 0).toBuilder()
                .hostname("submission.postwire.test").tls(TestTls.material()).offerAuth(true).authRequired(true)
                .trustedNetworks("127.0.0.0/8").build());

        // -s 5 sessions in parallel, -m 200 messages, -l 5120 octets of body each.
        Process p = new ProcessBuilder(smtpSource.toString(), "-s", "5", "-m", "200", "-l", "5120",
                "-f", "a@example.test", "-t", "b@example.test", "127.0.0.1:" + server.actualPort())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "smtp-source did not finish");
        assertEquals(0, p.exitValue(), output);

        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (handler.delivered.size() < 200 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertEquals(200, handler.delivered.size(), output);
        String firstBody = null;
        for (MailTransaction t : handler.delivered) {
            assertEquals("a@example.test", t.reversePath());
            assertEquals(List.of("b@example.test"), t.recipients());
            String text = new String(t.message(), StandardCharsets.ISO_8859_1);
            assertTrue(text.endsWith("\r\n"), "ends with CRLF");
            assertTrue(!text.replace("\r\n", "").contains("\n"), "no bare LF is stored");
            // The headers differ (dates, numbers); the body is the 5120 octets smtp-source
            // generates (80-octet CRLF lines, the last one cut short) plus the CRLF that ends
            // the last line before the final ".", the same every time.
            String body = text.substring(text.indexOf("\r\n\r\n") + 4);
            assertEquals(5120 + 2, body.length(), "body octets");
            if (firstBody == null) {
                firstBody = body;
            }
            assertEquals(firstBody, body);
        }
    }

    private Swaks.Result swaks(String... args) {
        return Swaks.run(server.actualPort(), args);
    }
}
