package io.postwire.smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs one scripted SMTP dialogue ({@code src/test/resources/smtpd/dialogues/*.smtp}) against a
 * fresh {@link SmtpdServer} on a random port, over a real socket, with a {@link RecordingHandler}.
 *
 * <p>One instruction per line; blank lines and lines starting with {@code #} are ignored.
 * <pre>
 * !options k=v ...     server options, before anything else (several lines allowed):
 *                      hostname, tls, implicitTls, offerAuth, authRequired, trusted (CIDRs, comma-
 *                      separated, or "none"), maxMessageSize, maxRecipients, maxLineLength,
 *                      maxConnections, maxConnectionsPerIp, maxAuthFailuresPerIp, and in
 *                      milliseconds commandTimeout, idleTimeout, authFailureDelay, authFailureWindow
 * C: text              send text and CRLF (UTF-8)
 * R: text              send raw bytes, no CRLF added; escapes \r \n \t \0 \\ \xHH
 * S: prefix            the next server line must start with prefix (trailing spaces count)
 * S~ regex             the next server line must match the regex as a whole
 * !line N              send a line of N 'a's and CRLF
 * !data N              send an N-octet generated message (CRLF lines) and the final ".", CRLF
 * !starttls            TLS handshake on the client side of the open connection
 * !sleep MS            wait
 * !silence MS          the server sends nothing (and does not close) within MS
 * !expect-close        the server closes the connection without sending anything else
 * !reconnect           close the connection and open a new one (the greeting is read by S: lines)
 * !extra-connection P  open a second connection while this one stays open: its first line starts
 *                      with P and then the server closes it
 * !server-close        start closing the server (SmtpdServer.close())
 * !handler MODE        deliver() from now on: accept, fail (failed future), throw, hang
 * !expect-delivered N  the handler has recorded exactly N transactions
 * !expect-last-from A  the last transaction's reverse path ("<>" for the null sender)
 * !expect-last-to A,B  its recipients
 * !expect-last-param K=V  its MAIL parameter K has value V (K= for no value)
 * !expect-last-size N  its message size in octets
 * !expect-last-message TEXT  its message bytes, with the escapes of R:
 * !expect-last-data    its message bytes equal the last !data message
 * !expect-last-tls B / !expect-last-user U  the session it came from (U "none" = not authenticated)
 * !expect-auth-calls N how often authenticate() has been called
 * </pre>
 * At the end the server must have nothing more to say: any unread output fails the dialogue.
 */
final class Dialogue {

    static final String HOSTNAME = "mx.postwire.test";

    private final Path file;
    private final StringBuilder transcript = new StringBuilder();
    private Vertx vertx;
    private RecordingHandler handler;
    private SmtpdServer server;
    private SmtpdOptions options;
    private SmtpTestClient client;
    private byte[] lastData;
    private boolean expectClosed;

    Dialogue(Path file) {
        this.file = file;
    }

    void run() throws Exception {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        SmtpdOptions.Builder builder = SmtpdOptions.defaults("dialogue", "127.0.0.1", 0).toBuilder()
                .hostname(HOSTNAME).tls(TestTls.material()).offerAuth(true).authRequired(true)
                .maxMessageSize(10_000).maxRecipients(5)
                .commandTimeout(Duration.ofSeconds(10)).idleTimeout(Duration.ofSeconds(10))
                .authFailureDelay(Duration.ofMillis(20)).maxAuthFailuresPerIp(3)
                .authFailureWindow(Duration.ofMinutes(5));
        int first = 0;
        for (; first < lines.size(); first++) {
            String l = lines.get(first).strip();
            if (l.startsWith("!options")) {
                applyOptions(builder, l.substring("!options".length()).strip());
            } else if (!l.isEmpty() && !l.startsWith("#")) {
                break;
            }
        }
        options = builder.build();
        vertx = Vertx.vertx();
        handler = new RecordingHandler(vertx);
        try {
            server = await(SmtpdServer.start(vertx, options, handler).toCompletionStage().toCompletableFuture());
            client = connect();
            for (int i = first; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank() || line.strip().startsWith("#")) {
                    continue;
                }
                try {
                    step(line);
                } catch (AssertionError | Exception e) {
                    throw new AssertionError(file.getFileName() + ":" + (i + 1) + ": " + line.strip() + "\n  -> "
                            + e.getMessage() + "\n--- transcript ---\n" + transcript, e);
                }
            }
            if (!expectClosed) {
                try {
                    assertFalse(client.closedByServer(150), "the server closed the connection unexpectedly");
                } catch (IOException e) {
                    throw new AssertionError(file.getFileName() + ": at the end: " + e.getMessage()
                            + "\n--- transcript ---\n" + transcript, e);
                }
            }
        } finally {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                server.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
                assertEquals(0, server.connectionCount(), "sessions left open after close");
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }

    private SmtpTestClient connect() throws IOException {
        expectClosed = false;
        return SmtpTestClient.connect(server.actualPort(), options.implicitTls(), transcript);
    }

    private void step(String line) throws Exception {
        if (line.startsWith("C: ") || line.equals("C:")) {
            client.send(line.length() > 3 ? line.substring(3) : "");
        } else if (line.startsWith("R: ")) {
            client.sendRaw(unescape(line.substring(3)));
        } else if (line.startsWith("S: ")) {
            String expected = line.substring(3);
            String got = client.readLine();
            assertNotNull(got, "connection closed, expected '" + expected + "'");
            assertTrue(got.startsWith(expected), "expected a line starting with '" + expected + "', got '" + got + "'");
        } else if (line.startsWith("S~ ")) {
            String regex = line.substring(3);
            String got = client.readLine();
            assertNotNull(got, "connection closed, expected /" + regex + "/");
            assertTrue(Pattern.compile(regex).matcher(got).matches(), "expected /" + regex + "/, got '" + got + "'");
        } else if (line.startsWith("!")) {
            String[] parts = line.strip().split("\\s+", 2);
            directive(parts[0].substring(1), parts.length > 1 ? parts[1] : "");
        } else {
            fail("unknown instruction");
        }
    }

    private void directive(String name, String arg) throws Exception {
        switch (name) {
            case "line" -> client.send("a".repeat(Integer.parseInt(arg)));
            case "data" -> {
                lastData = generatedMessage(Integer.parseInt(arg));
                ByteArrayOutputStream wire = new ByteArrayOutputStream();
                wire.write(lastData);
                wire.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
                client.sendRaw(wire.toByteArray());
            }
            case "starttls" -> client.startTls();
            case "sleep" -> Thread.sleep(Long.parseLong(arg));
            case "silence" -> assertFalse(client.closedByServer(Integer.parseInt(arg)), "server closed the connection");
            case "expect-close" -> {
                assertTrue(client.closedByServer(5000), "server did not close the connection");
                expectClosed = true;
            }
            case "reconnect" -> {
                client.close();
                transcript.append("-- new connection\n");
                client = connect();
            }
            case "extra-connection" -> {
                transcript.append("-- extra connection\n");
                try (SmtpTestClient extra = connect()) {
                    String got = extra.readLine();
                    assertNotNull(got, "extra connection closed without a reply");
                    assertTrue(got.startsWith(arg), "extra connection: expected '" + arg + "', got '" + got + "'");
                    assertTrue(extra.closedByServer(5000), "extra connection was not closed");
                }
                expectClosed = false;
                transcript.append("-- back to the first connection\n");
            }
            case "server-close" -> server.close();
            case "handler" -> handler.deliverMode.set(RecordingHandler.DeliverMode.valueOf(arg.toUpperCase()));
            case "expect-delivered" -> {
                // deliver() completes on another thread just before the reply; give it a moment.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (handler.delivered.size() < Integer.parseInt(arg) && System.nanoTime() < until) {
                    Thread.sleep(10);
                }
                assertEquals(Integer.parseInt(arg), handler.delivered.size(), "delivered transactions");
            }
            case "expect-last-from" -> assertEquals(arg.equals("<>") ? "" : arg, last().reversePath(), "reverse path");
            case "expect-last-to" -> assertEquals(Arrays.asList(arg.split(",")), last().recipients(), "recipients");
            case "expect-last-param" -> {
                int eq = arg.indexOf('=');
                String key = arg.substring(0, eq);
                assertTrue(last().mailParameters().containsKey(key), "no parameter " + key + " in " + last().mailParameters());
                assertEquals(arg.substring(eq + 1), last().mailParameters().get(key), "parameter " + key);
            }
            case "expect-last-size" -> assertEquals(Integer.parseInt(arg), last().size(), "message size");
            case "expect-last-message" -> assertEquals(new String(unescape(arg), StandardCharsets.ISO_8859_1),
                    new String(last().message(), StandardCharsets.ISO_8859_1), "message bytes");
            case "expect-last-data" -> {
                assertNotNull(lastData, "no !data before");
                assertTrue(Arrays.equals(lastData, last().message()), "message bytes differ from the !data sent");
            }
            case "expect-last-tls" -> assertEquals(Boolean.parseBoolean(arg), lastSession().tls(), "session TLS");
            case "expect-last-user" -> assertEquals(arg.equals("none") ? null : arg, lastSession().authenticatedUser(),
                    "authenticated user");
            case "expect-auth-calls" -> assertEquals(Integer.parseInt(arg), handler.authCalls.get(), "authenticate() calls");
            default -> fail("unknown directive !" + name);
        }
    }

    private MailTransaction last() {
        MailTransaction t = handler.last();
        assertNotNull(t, "nothing was delivered");
        return t;
    }

    private SessionInfo lastSession() {
        assertFalse(handler.deliveredSessions.isEmpty(), "nothing was delivered");
        return handler.deliveredSessions.get(handler.deliveredSessions.size() - 1);
    }

    /** Headers, a blank line and lines of letters, exactly {@code size} octets, all lines CRLF. */
    static byte[] generatedMessage(int size) {
        StringBuilder sb = new StringBuilder("Subject: generated " + size + "\r\n\r\n");
        if (size < sb.length() + 3) {
            throw new IllegalArgumentException("!data needs at least " + (sb.length() + 3) + " octets");
        }
        int n = 0;
        while (sb.length() < size) {
            int room = size - sb.length() - 2;
            int len = Math.min(76, room);
            if (room - len > 0 && room - len < 3) {
                len -= 3; // leave room for a last line of at least one letter
            }
            for (int i = 0; i < len; i++) {
                sb.append((char) ('a' + (n + i) % 26));
            }
            sb.append("\r\n");
            n++;
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.US_ASCII);
        if (bytes.length != size) {
            throw new IllegalStateException("generated " + bytes.length + " octets instead of " + size);
        }
        return bytes;
    }

    static byte[] unescape(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < utf8.length; i++) {
            byte b = utf8[i];
            if (b != '\\' || i + 1 >= utf8.length) {
                out.write(b);
                continue;
            }
            char c = (char) utf8[++i];
            switch (c) {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case '0' -> out.write(0);
                case '\\' -> out.write('\\');
                case 'x' -> {
                    out.write(Integer.parseInt(new String(utf8, i + 1, 2, StandardCharsets.US_ASCII), 16));
                    i += 2;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + c);
            }
        }
        return out.toByteArray();
    }

    private static void applyOptions(SmtpdOptions.Builder b, String text) {
        for (String kv : text.split("\\s+")) {
            if (kv.isEmpty()) {
                continue;
            }
            int eq = kv.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("option without value: " + kv);
            }
            String k = kv.substring(0, eq);
            String v = kv.substring(eq + 1);
            switch (k) {
                case "hostname" -> b.hostname(v);
                case "tls" -> b.tls(Boolean.parseBoolean(v) ? TestTls.material() : null);
                case "implicitTls" -> b.implicitTls(Boolean.parseBoolean(v));
                case "offerAuth" -> b.offerAuth(Boolean.parseBoolean(v));
                case "authRequired" -> b.authRequired(Boolean.parseBoolean(v));
                case "trusted" -> b.trustedNetworks(v.equals("none") ? "" : v);
                case "maxMessageSize" -> b.maxMessageSize(Long.parseLong(v));
                case "maxRecipients" -> b.maxRecipients(Integer.parseInt(v));
                case "maxLineLength" -> b.maxLineLength(Integer.parseInt(v));
                case "maxConnections" -> b.maxConnections(Integer.parseInt(v));
                case "maxConnectionsPerIp" -> b.maxConnectionsPerIp(Integer.parseInt(v));
                case "maxAuthFailuresPerIp" -> b.maxAuthFailuresPerIp(Integer.parseInt(v));
                case "commandTimeout" -> b.commandTimeout(Duration.ofMillis(Long.parseLong(v)));
                case "idleTimeout" -> b.idleTimeout(Duration.ofMillis(Long.parseLong(v)));
                case "authFailureDelay" -> b.authFailureDelay(Duration.ofMillis(Long.parseLong(v)));
                case "authFailureWindow" -> b.authFailureWindow(Duration.ofMillis(Long.parseLong(v)));
                default -> throw new IllegalArgumentException("unknown option " + k);
            }
        }
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }
}
