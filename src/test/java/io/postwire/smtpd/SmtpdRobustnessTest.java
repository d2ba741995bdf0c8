package io.postwire.smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Concurrency, limits and hostile input over real sockets: many sessions at once, pipelined
 * transactions, clients that vanish mid-DATA, oversized messages, garbage, STARTTLS injection,
 * per-IP limits, AUTH failure limits, clients that never read, handlers that never answer.
 */
class SmtpdRobustnessTest {

    private final Vertx vertx = Vertx.vertx();
    private final RecordingHandler handler = new RecordingHandler(vertx);
    private SmtpdServer server;

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private static SmtpdOptions.Builder trusted() {
        return SmtpdOptions.defaults("robustness", "127.0.0.1", 0).toBuilder()
                .hostname("mx.postwire.test").tls(TestTls.material()).offerAuth(true)
                .authRequired(true).trustedNetworks("127.0.0.0/8")
                .commandTimeout(Duration.ofSeconds(10)).idleTimeout(Duration.ofSeconds(10));
    }

    private void start(SmtpdOptions options) throws Exception {
        server = SmtpdServer.start(vertx, options, handler).toCompletionStage().toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
    }

    private SmtpTestClient connect() throws IOException {
        return SmtpTestClient.connect(server.actualPort());
    }

    private void awaitNoConnections() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.connectionCount() != 0 && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertEquals(0, server.connectionCount(), "open sessions");
        assertEquals(java.util.Map.of(), server.connectionsPerIp(), "per-IP counters");
    }

    private static String transaction(int session, int n) {
        return "MAIL FROM:<s" + session + "@example.test>\r\n"
                + "RCPT TO:<r" + n + "@example.test>\r\n"
                + "RCPT TO:<nobody@example.test>\r\n"
                + "DATA\r\n"
                + "Subject: " + session + "/" + n + "\r\n\r\n"
                + "..dot\r\nbody " + session + "/" + n + "\r\n.\r\n";
    }

    @Test
    void manyConcurrentSessionsWithPipelinedTransactions() throws Exception {
        int sessions = 40;
        int perSession = 5;
        start(trusted().maxConnections(100).maxConnectionsPerIp(100).build());
        handler.deliverDelay(5); // completes later, on a timer: replies must still come in order
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        try {
            List<Future<Void>> results = new ArrayList<>();
            for (int s = 0; s < sessions; s++) {
                int session = s;
                results.add(pool.submit((Callable<Void>) () -> {
                    try (SmtpTestClient c = connect()) {
                        assertTrue(c.reply().startsWith("220 "));
                        c.send("EHLO s" + session + ".test");
                        c.readReply();
                        StringBuilder all = new StringBuilder();
                        for (int n = 0; n < perSession; n++) {
                            all.append(transaction(session, n));
                        }
                        c.sendRaw(all.toString().getBytes(StandardCharsets.US_ASCII)); // one write, all pipelined
                        for (int n = 0; n < perSession; n++) {
                            assertTrue(c.reply().startsWith("250 2.1.0"));
                            assertTrue(c.reply().startsWith("250 2.1.5"));
                            assertTrue(c.reply().startsWith("550 5.1.1"));
                            assertTrue(c.reply().startsWith("354 "));
                            assertTrue(c.reply().startsWith("250 2.0.0"));
                        }
                        assertTrue(c.command("QUIT").startsWith("221 "));
                    }
                    return null;
                }));
            }
            for (Future<Void> f : results) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(sessions * perSession, handler.delivered.size());
        for (MailTransaction t : handler.delivered) {
            String text = new String(t.message(), StandardCharsets.US_ASCII);
            String id = text.substring("Subject: ".length(), text.indexOf("\r\n"));
            assertEquals("Subject: " + id + "\r\n\r\n.dot\r\nbody " + id + "\r\n", text);
            assertEquals(List.of("r" + id.substring(id.indexOf('/') + 1) + "@example.test"), t.recipients());
            assertEquals("s" + id.substring(0, id.indexOf('/')) + "@example.test", t.reversePath());
        }
        awaitNoConnections();
    }

    @Test
    void aClientThatDisconnectsMidDataDeliversNothingAndLeavesNoCounter() throws Exception {
        start(trusted().build());
        for (int i = 0; i < 5; i++) {
            SmtpTestClient c = connect();
            c.reply();
            c.send("EHLO x.test");
            c.readReply();
            c.sendRaw("MAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n".getBytes(StandardCharsets.US_ASCII));
            c.reply();
            c.reply();
            assertTrue(c.reply().startsWith("354"));
            c.sendRaw("Subject: cut\r\n\r\nhalf a message".getBytes(StandardCharsets.US_ASCII));
            c.close();
        }
        awaitNoConnections();
        assertEquals(0, handler.deliverCalls.get());
    }

    @Test
    void anOversizedMessageIsReadToTheEndWithoutBufferingItThen552() throws Exception {
        int max = 64 * 1024;
        start(trusted().maxMessageSize(max).build());
        try (SmtpTestClient c = connect()) {
            c.reply();
            c.send("EHLO x.test");
            c.readReply();
            assertTrue(c.command("MAIL FROM:<a@example.test>").startsWith("250"));
            assertTrue(c.command("RCPT TO:<b@example.test>").startsWith("250"));
            assertTrue(c.command("DATA").startsWith("354"));
            byte[] line = ("x".repeat(98) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] chunk = new byte[line.length * 1000];
            for (int i = 0; i < 1000; i++) {
                System.arraycopy(line, 0, chunk, i * line.length, line.length);
            }
            for (int i = 0; i < 200; i++) { // 20 MB
                c.sendRaw(chunk);
            }
            c.sendRaw(".\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("552 5.3.4 Message size exceeds fixed limit", c.reply());
            // The session goes on.
            assertEquals("250 2.0.0 Ok", c.command("NOOP"));
        }
        assertEquals(0, handler.deliverCalls.get());
        assertTrue(server.largestMessageBuffer() <= max, "buffered " + server.largestMessageBuffer());
        assertTrue(server.largestMessageBuffer() > 0);
        awaitNoConnections();
    }

    @Test
    void garbageNeverKillsTheServer() throws Exception {
        start(trusted().maxLineLength(1000).build());
        Random random = new Random(42);
        for (int round = 0; round < 20; round++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.actualPort())) {
                s.setSoTimeout(5000);
                byte[] garbage = new byte[1 + random.nextInt(200_000)];
                random.nextBytes(garbage);
                if (round % 4 == 0) {
                    java.util.Arrays.fill(garbage, (byte) 0); // NULs only
                } else if (round % 4 == 1) {
                    java.util.Arrays.fill(garbage, (byte) 'A'); // one huge line, never ended
                }
                try {
                    s.getOutputStream().write(garbage);
                    s.getOutputStream().flush();
                    s.getInputStream().read(new byte[4096]);
                } catch (IOException expected) {
                    // the server may drop us mid-write after too many errors
                }
            }
        }
        awaitNoConnections();
        // Still serving.
        try (SmtpTestClient c = connect()) {
            assertTrue(c.reply().startsWith("220 "));
            assertTrue(c.command("EHLO x.test").startsWith("250 "));
            assertTrue(c.command("MAIL FROM:<a@example.test>").startsWith("250 "));
            assertTrue(c.command("RCPT TO:<b@example.test>").startsWith("250 "));
            assertTrue(c.command("DATA").startsWith("354 "));
            c.sendRaw("Subject: after garbage\r\n\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(c.reply().startsWith("250 "));
        }
        assertEquals(1, handler.delivered.size());
    }

    @Test
    void plainTextSentRightAfterStartTlsIsNeverExecuted() throws Exception {
        start(trusted().build());
        byte[] injected = "MAIL FROM:<evil@example.test>\r\nRCPT TO:<b@example.test>\r\n".getBytes(StandardCharsets.US_ASCII);
        int handshakes = 0;
        for (int i = 0; i < 10; i++) {
            boolean sameWrite = i % 2 == 0;
            try (SmtpTestClient c = connect()) {
                c.reply();
                c.send("EHLO x.test");
                c.readReply();
                if (sameWrite) {
                    // In the same packet as STARTTLS: the server has it buffered and must drop it.
                    byte[] both = new byte["STARTTLS\r\n".length() + injected.length];
                    System.arraycopy("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII), 0, both, 0, 10);
                    System.arraycopy(injected, 0, both, 10, injected.length);
                    c.sendRaw(both);
                } else {
                    // In a packet of its own, racing the 220 and the upgrade.
                    c.send("STARTTLS");
                    c.sendRaw(injected);
                }
                assertTrue(c.reply().startsWith("220 2.0.0"));
                try {
                    c.startTls();
                } catch (SSLException | java.net.SocketException e) {
                    // The plain text reached the TLS layer and broke the handshake: also safe.
                    assertFalse(sameWrite, "handshake failed although the injection came with STARTTLS: " + e);
                    continue;
                }
                handshakes++;
                c.send("EHLO x.test");
                List<String> ehlo = c.readReply();
                assertEquals("250-mx.postwire.test", ehlo.get(0), "the first reply over TLS answers EHLO");
                assertEquals("503 5.5.1 Error: need MAIL command", c.command("RCPT TO:<b@example.test>"));
            }
        }
        assertTrue(handshakes >= 5, "handshakes: " + handshakes);
        awaitNoConnections();
        assertEquals(0, handler.deliverCalls.get());
    }

    @Test
    void perIpLimitAndCountersComeBackToZero() throws Exception {
        start(trusted().maxConnectionsPerIp(3).maxConnections(50).build());
        List<SmtpTestClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                SmtpTestClient c = connect();
                assertTrue(c.reply().startsWith("220 "));
                open.add(c);
            }
            assertEquals(3, server.connectionCount());
            assertEquals(java.util.Map.of("127.0.0.1", 3), server.connectionsPerIp());
            for (int i = 0; i < 3; i++) {
                try (SmtpTestClient extra = connect()) {
                    assertEquals("421 4.7.0 Too many connections", extra.readLine());
                    assertTrue(extra.closedByServer(5000));
                }
            }
            assertEquals(3, server.connectionCount());
            open.remove(0).close();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.connectionCount() != 2 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            SmtpTestClient again = connect();
            open.add(again);
            assertTrue(again.reply().startsWith("220 "));
        } finally {
            open.forEach(SmtpTestClient::close);
        }
        awaitNoConnections();
    }

    @Test
    void authFailuresAreDelayedAndThenTheAddressIsBlocked() throws Exception {
        long delay = 400;
        start(trusted().authFailureDelay(Duration.ofMillis(delay)).maxAuthFailuresPerIp(2)
                .authFailureWindow(Duration.ofSeconds(2)).build());
        SmtpTestClient c = connect();
        c.reply();
        c.command("EHLO x.test");
        c.command("STARTTLS");
        c.startTls();
        c.send("EHLO x.test");
        assertTrue(c.readReply().contains("250 AUTH PLAIN LOGIN"));
        for (int i = 0; i < 2; i++) {
            long t0 = System.nanoTime();
            assertEquals("535 5.7.8 Authentication credentials invalid", c.command("AUTH PLAIN AGFsaWNlAHdyb25n"));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= delay - 20, "535 came after " + ms + " ms");
        }
        assertTrue(c.command("AUTH PLAIN AGFsaWNlAHdyb25n").startsWith("421 4.7.0"));
        assertTrue(c.closedByServer(5000));
        c.close();
        // Blocked at greeting, even with the right password on a new connection...
        try (SmtpTestClient blocked = connect()) {
            assertTrue(blocked.readLine().startsWith("421 4.7.0"));
            assertTrue(blocked.closedByServer(5000));
        }
        // ...until the window has passed.
        Thread.sleep(2100);
        try (SmtpTestClient later = connect()) {
            assertTrue(later.reply().startsWith("220 "));
            later.command("EHLO x.test");
            later.command("STARTTLS");
            later.startTls();
            later.send("EHLO x.test");
            later.readReply();
            assertEquals("235 2.7.0 Authentication successful", later.command("AUTH PLAIN AGFsaWNlAHNlY3JldA=="));
        }
        awaitNoConnections();
    }

    @Test
    void aClientThatNeverReadsCannotMakeTheServerBuffer() throws Exception {
        start(trusted().build());
        AtomicLong written = new AtomicLong();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.actualPort())) {
            s.setReceiveBufferSize(4096);
            byte[] noops = "NOOP\r\n".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (System.nanoTime() < until) {
                        out.write(noops);
                        written.addAndGet(noops.length);
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            writer.setDaemon(true);
            writer.start();
            // Once the server stops reading, the writer blocks: the count stops growing.
            long last = -1;
            for (int i = 0; i < 100 && written.get() != last; i++) {
                last = written.get();
                Thread.sleep(300);
            }
            assertEquals(last, written.get(), "the server kept reading from a client that never reads");
            assertTrue(written.get() < 64L * 1024 * 1024, "accepted " + written.get() + " bytes");
            assertEquals(1, server.connectionCount());
        }
        awaitNoConnections();
    }

    @Test
    void aHandlerThatNeverAnswersGets451AfterTheCommandTimeout() throws Exception {
        start(trusted().commandTimeout(Duration.ofMillis(500)).build());
        handler.deliverMode.set(RecordingHandler.DeliverMode.HANG);
        try (SmtpTestClient c = connect()) {
            c.reply();
            c.command("EHLO x.test");
            c.sendRaw("MAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n".getBytes(StandardCharsets.US_ASCII));
            c.reply();
            c.reply();
            c.reply();
            long t0 = System.nanoTime();
            c.sendRaw("Subject: x\r\n\r\n.\r\nNOOP\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(c.reply().startsWith("451 4.3.0"));
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) >= 450);
            assertEquals("250 2.0.0 Ok", c.reply()); // the pipelined NOOP, after it
        }
        awaitNoConnections();
    }

    @Test
    void closeLetsAPendingDeliveryAnswerThenSays421() throws Exception {
        start(trusted().build());
        handler.deliverDelay(700);
        try (SmtpTestClient c = connect()) {
            c.reply();
            c.command("EHLO x.test");
            c.sendRaw("MAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\nSubject: x\r\n\r\n.\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            c.reply();
            c.reply();
            c.reply();
            Thread.sleep(200); // the delivery is in progress
            var closing = server.close();
            assertTrue(c.reply().startsWith("250 2.0.0"));
            assertEquals("421 4.3.2 Service shutting down", c.readLine());
            assertTrue(c.closedByServer(5000));
            closing.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            // Not accepting any more.
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.actualPort())) {
                s.setSoTimeout(2000);
                int b = s.getInputStream().read();
                assertEquals(-1, b, "a new connection after close() got data");
            } catch (IOException refused) {
                // connection refused: fine
            }
        }
        assertEquals(1, handler.delivered.size());
        assertEquals(0, server.connectionCount());
    }

    @Test
    void aSilentClientIsDroppedAfterTheIdleTimeout() throws Exception {
        start(trusted().idleTimeout(Duration.ofMillis(300)).build());
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.actualPort())) {
            s.setSoTimeout(5000);
            byte[] buf = new byte[512];
            int n = 0;
            int r;
            while ((r = s.getInputStream().read(buf, n, buf.length - n)) > 0) {
                n += r;
            }
            String got = new String(buf, 0, n, StandardCharsets.US_ASCII);
            assertTrue(got.startsWith("220 "), got);
            assertTrue(got.contains("\r\n421 4.4.2 mx.postwire.test"), got);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close an idle connection", e);
        }
        awaitNoConnections();
        assertFalse(server.connectionsPerIp().containsKey("127.0.0.1"));
        assertNull(handler.last());
    }
}
