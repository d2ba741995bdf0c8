package io.postwire.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Interoperability with a real MTA implementation: Postfix's {@code smtp-sink} (Debian package
 * {@code postfix}), which answers like Postfix's smtpd (PIPELINING, ENHANCEDSTATUSCODES...) and
 * throws the mail away. Missing smtp-sink is a test failure, never a skip.
 */
class SmtpSinkInteropTest {

    private static final Path SMTP_SINK = Path.of("/usr/sbin/smtp-sink");

    @Test
    void twoHundredMessagesOverThePoolAreAllAcceptedWith250() throws Exception {
        String missing = io.postwire.testsupport.PeerTools.ensureSmtpSink();
        if (missing != null) {
            fail(missing);
        }
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(SMTP_SINK.toString()));
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("-u", "nobody")); // smtp-sink refuses to run as root otherwise
        }
        command.addAll(List.of("127.0.0.1:" + port, "100"));
        Process sink = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Vertx vertx = Vertx.vertx();
        SmtpClient client = null;
        try {
            awaitListening(port, sink);
            client = new SmtpClient(vertx, RelayTarget.of("127.0.0.1", port).withTls(TlsMode.OFF, false)
                    .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10))
                    .withPool(4, 50, Duration.ofSeconds(5)));
            List<Uni<SmtpResult>> sends = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String body = "From: a@example.org\r\nTo: b" + i + "@example.net\r\nSubject: " + i
                        + "\r\n\r\n.dot line\r\nmessage " + i + "\r\n";
                sends.add(client.send(SmtpEnvelope.of("a@example.org", "b" + i + "@example.net", "c" + i + "@example.net"),
                        Buffer.buffer(body)));
            }

            List<SmtpResult> results = Uni.join().all(sends).andFailFast().await().atMost(Duration.ofSeconds(120));

            assertEquals(200, results.size());
            for (SmtpResult result : results) {
                for (RecipientResult r : result.recipients()) {
                    assertTrue(r.reply() != null && r.reply().code() == 250, r.toString());
                }
            }
        } finally {
            if (client != null) {
                client.close().await().atMost(Duration.ofSeconds(10));
            }
            vertx.close().toCompletionStage().toCompletableFuture().join();
            sink.destroy();
            sink.waitFor();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitListening(int port, Process sink) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (!sink.isAlive()) {
                fail("smtp-sink exited with status " + sink.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        fail("smtp-sink did not listen on port " + port + " within 10 s");
    }
}
