package io.postwire.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.testsupport.ReceivedMessage;
import io.postwire.testsupport.TestSmtpServer;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Delivery outcomes against the test server, with and without PIPELINING. */
class SmtpClientDeliveryTest extends SmtpClientTestBase {

    private SmtpClient clientFor(boolean pipelining) {
        TestSmtpServer.Options options = TestSmtpServer.Options.defaults();
        server = TestSmtpServer.start(pipelining ? options : options.withoutPipelining());
        client = new SmtpClient(vertx, quick(server.host(), server.port(), TlsMode.OFF, false));
        return client;
    }

    private static SmtpResult send(SmtpClient client, SmtpEnvelope env, byte[] message) {
        return client.send(env, Buffer.buffer(message)).await().atMost(Duration.ofSeconds(20));
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {true, false})
    void deliversTheMessageByteForByteIncludingLinesThatStartWithADot(boolean pipelining) {
        byte[] message = ("From: a@example.org\r\nTo: b@example.net\r\nSubject: dots\r\n\r\n"
                + ".leading dot\r\n..two dots\r\n.\r\nmiddle\r\n. \r\n\u00e9t\u00e9 8-bit\r\nlast line\r\n")
                .getBytes(StandardCharsets.UTF_8);

        SmtpResult result = send(clientFor(pipelining), SmtpEnvelope.of("a@example.org", "b@example.net"), message);

        RecipientResult r = result.recipient("b@example.net");
        assertNull(r.failure());
        assertEquals(250, r.reply().code());
        assertEquals("2.0.0", r.reply().enhancedCode());
        assertEquals(server.host() + ":" + server.port(), result.remoteHost());
        assertFalse(result.tlsUsed());
        ReceivedMessage received = server.awaitMessages(1, Duration.ofSeconds(5)).get(0);
        assertArrayEquals(message, received.data(), "bytes differ:\n" + received.text());
        assertEquals("a@example.org", received.mailFrom());
        assertEquals(List.of("b@example.net"), received.recipients());
        // SIZE and 8BITMIME are announced by the server, so the client must use them.
        assertTrue(server.commands().contains("MAIL FROM:<a@example.org> SIZE=" + message.length + " BODY=8BITMIME"),
                server.commands().toString());
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {true, false})
    void givesEachRecipientItsOwnVerdict(boolean pipelining) {
        SmtpEnvelope env = SmtpEnvelope.of("a@example.org",
                "ok@example.net", "tempfail@example.net", "permfail@example.net", "ok2@example.net");

        SmtpResult result = send(clientFor(pipelining), env, "Subject: mix\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII));

        assertEquals("250 2.0.0", result.recipient("ok@example.net").reply().toString().substring(0, 9));
        assertEquals(451, result.recipient("tempfail@example.net").reply().code());
        assertEquals("4.3.0", result.recipient("tempfail@example.net").reply().enhancedCode());
        assertTrue(result.recipient("tempfail@example.net").reply().isTransient());
        assertEquals(550, result.recipient("permfail@example.net").reply().code());
        assertEquals("5.1.1", result.recipient("permfail@example.net").reply().enhancedCode());
        assertEquals(250, result.recipient("ok2@example.net").reply().code());
        assertEquals(List.of("ok@example.net", "ok2@example.net"),
                server.awaitMessages(1, Duration.ofSeconds(5)).get(0).recipients());
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {true, false})
    void sendsNoMessageWhenEveryRecipientIsRefused(boolean pipelining) throws InterruptedException {
        SmtpEnvelope env = SmtpEnvelope.of("a@example.org", "tempfail@example.net", "permfail@example.net");

        SmtpResult result = send(clientFor(pipelining), env, "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));

        assertEquals(451, result.recipient("tempfail@example.net").reply().code());
        assertEquals(550, result.recipient("permfail@example.net").reply().code());
        // The pool clears the transaction with RSET right after reporting.
        long deadline = System.currentTimeMillis() + 5000;
        while (!server.commands().contains("RSET") && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(server.commands().contains("RSET"), server.commands().toString());
        assertTrue(server.messages().isEmpty());
        // With pipelining DATA is sent in the batch but must be refused by the server; without
        // it the client must not send DATA at all. Either way no message body is sent.
        if (!pipelining) {
            assertFalse(server.commands().contains("DATA"), server.commands().toString());
        }
        assertFalse(server.commands().stream().anyMatch(c -> c.startsWith("Subject")), server.commands().toString());
    }

    @Test
    void reportsTheFinalReplyForAcceptedRecipientsWhenTheMessageIsRefused() {
        server = TestSmtpServer.start(TestSmtpServer.Options.defaults().withDataReply("552 5.3.4 too big"));
        client = new SmtpClient(vertx, RelayTarget.of(server.host(), server.port()).withTls(TlsMode.OFF, false));

        SmtpResult result = send(client, SmtpEnvelope.of("a@example.org", "ok@example.net", "permfail@example.net"),
                "Subject: big\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));

        assertEquals("552 5.3.4 too big", result.recipient("ok@example.net").reply().toString());
        assertTrue(result.recipient("ok@example.net").reply().isPermanent());
        assertEquals(550, result.recipient("permfail@example.net").reply().code());
    }

    @Test
    void fallsBackToHeloAndPlainLockStepWhenEhloIsRefused() {
        server = TestSmtpServer.start(TestSmtpServer.Options.defaults().withoutEhlo());
        client = new SmtpClient(vertx, RelayTarget.of(server.host(), server.port()).withTls(TlsMode.OPTIONAL, false));

        SmtpResult result = send(client, SmtpEnvelope.of("a@example.org", "b@example.net"),
                "Subject: old\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));

        assertTrue(result.allAccepted(), result.toString());
        assertTrue(server.commands().contains("HELO localhost"), server.commands().toString());
        // No extensions after HELO: no SIZE parameter.
        assertTrue(server.commands().contains("MAIL FROM:<a@example.org>"), server.commands().toString());
    }

    @Test
    void endsAMessageWithoutFinalLineBreakWithCrlfAndAcceptsTheNullReversePath() {
        byte[] message = "Subject: bounce\r\n\r\nno line break at end".getBytes(StandardCharsets.US_ASCII);

        SmtpResult result = send(clientFor(true), SmtpEnvelope.of("", "b@example.net"), message);

        assertTrue(result.allAccepted(), result.toString());
        ReceivedMessage received = server.awaitMessages(1, Duration.ofSeconds(5)).get(0);
        assertEquals("Subject: bounce\r\n\r\nno line break at end\r\n", received.text());
        assertEquals("", received.mailFrom());
    }
}
