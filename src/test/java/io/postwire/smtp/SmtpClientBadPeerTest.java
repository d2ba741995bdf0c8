package io.postwire.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.bounce.BounceClassifier;
import io.postwire.event.BounceClass;
import io.postwire.testsupport.SelfSignedTls;
import io.postwire.testsupport.TestCertificates;
import io.postwire.testsupport.TestSmtpServer;
import io.postwire.testsupport.TestSmtpServer.Options;
import io.postwire.testsupport.TestSmtpServer.StartTlsFault;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad peers: servers that stall, refuse, hang up or garble at each step of the dialogue. Each test
 * proves three things over real sockets: every recipient ends with the right result (a reply the
 * dispatcher bounces or defers, or a failure it defers) within a bounded time; no connection is
 * left behind (the pool counts none, the server saw its socket closed); and the same client
 * delivers once the server behaves again. docs/bad-peers.md lists the outcomes.
 */
class SmtpClientBadPeerTest extends SmtpClientTestBase {

    private static final Duration COMMAND = Duration.ofMillis(800);
    private static final Duration DATA = Duration.ofMillis(800);
    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final Buffer MESSAGE = Buffer.buffer("Subject: t\r\n\r\nbody\r\n");
    private static final String FROM = "a@example.org";
    private static final String GOOD = "good@example.net";

    private long startedNanos;

    // ---- fixture ----

    private RelayTarget target(int port) {
        return RelayTarget.of("127.0.0.1", port).withTls(TlsMode.OFF, false)
                .withTimeouts(Duration.ofSeconds(2), COMMAND, DATA)
                .withPool(1, 100, Duration.ofSeconds(30));
    }

    private SmtpClient client(RelayTarget target) {
        client = new SmtpClient(vertx, target);
        return client;
    }

    private SmtpResult send(SmtpEnvelope envelope, Buffer message) {
        startedNanos = System.nanoTime();
        return client.send(envelope, message).await().atMost(Duration.ofSeconds(20));
    }

    private SmtpResult send(String... recipients) {
        return send(new SmtpEnvelope(FROM, List.of(recipients)), MESSAGE);
    }

    private void assertTookAtMost(Duration bound) {
        long millis = (System.nanoTime() - startedNanos) / 1_000_000;
        assertTrue(millis <= bound.toMillis(), "took " + millis + " ms, bound " + bound.toMillis() + " ms");
    }

    private static void assertReply(SmtpResult result, String recipient, String expected) {
        RecipientResult r = result.recipient(recipient);
        assertNull(r.failure(), r.toString());
        assertEquals(expected, r.reply().toString());
    }

    private static void assertFailure(SmtpResult result, String recipient, String expectedPart) {
        RecipientResult r = result.recipient(recipient);
        assertNull(r.reply(), r.toString());
        assertTrue(r.failure().contains(expectedPart), r.failure());
    }

    /** The bad session left nothing open, on either side. */
    private void assertNothingLeftOpen() {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        int live;
        while ((live = client.liveConnections().await().atMost(SETTLE)) != 0 && System.nanoTime() < deadline) {
            sleep(10);
        }
        assertEquals(0, live, "connections still counted by the pool");
        if (server != null) {
            server.awaitAllClosed(SETTLE);
        }
    }

    /** The server behaves again and the same client delivers through it, then closes cleanly. */
    private void assertRecovers(Options good) {
        server.reconfigure(good);
        SmtpResult result = send(GOOD);
        assertTrue(result.allAccepted(), result.toString());
        server.awaitMessageFor(GOOD, SETTLE);
        client.close().await().atMost(SETTLE);
        client = null;
        server.awaitAllClosed(SETTLE);
    }

    private void assertRecovers() {
        assertRecovers(Options.defaults());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Options lockStepIf(boolean pipelining, Options options) {
        return pipelining ? options : options.withoutPipelining();
    }

    // ---- before the greeting ----

    @Test
    void aServerThatNeverGreetsFailsWithinTheCommandTimeout() {
        server = TestSmtpServer.start(Options.defaults().withSilentGreeting());
        client(target(server.port()));

        SmtpResult result = send("x@example.net", "y@example.net");

        assertTookAtMost(COMMAND.plusSeconds(1));
        for (RecipientResult r : result.recipients()) {
            assertNull(r.reply());
            assertTrue(r.failure().startsWith("timeout after 800 ms waiting for the greeting"), r.failure());
        }
        assertNothingLeftOpen();
        assertRecovers();
    }

    @Test
    void aClosedPortIsAFailureAndTheClientDeliversOnceSomeoneListens() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        client(target(port));

        SmtpResult result = send("x@example.net");

        assertTookAtMost(Duration.ofSeconds(3));
        assertFailure(result, "x@example.net", "cannot connect to 127.0.0.1:" + port);
        assertNothingLeftOpen();
        server = TestSmtpServer.start(Options.defaults(), port);
        assertRecovers();
    }

    // ---- greeting ----

    @Test
    void a421GreetingIsATransientReplyForEveryRecipient() {
        server = TestSmtpServer.start(Options.defaults().withGreeting("421 4.3.2 too busy"));
        client(target(server.port()));

        SmtpResult result = send("x@example.net", "y@example.net");

        assertTookAtMost(Duration.ofSeconds(2));
        assertReply(result, "x@example.net", "421 4.3.2 too busy");
        assertReply(result, "y@example.net", "421 4.3.2 too busy");
        assertTrue(result.recipients().stream().allMatch(RecipientResult::atGreeting), "marked as the greeting");
        assertNothingLeftOpen();
        assertRecovers();
    }

    @Test
    void a554GreetingIsTheGreetingsReplyAndTheClientOnlySaysQuit() {
        // RFC 5321 §3.1: the server keeps the connection until QUIT and answers all else with 503.
        server = TestSmtpServer.start(Options.defaults().withGreeting("554 5.7.1 no mail from your network"));
        client(target(server.port()));

        SmtpResult result = send("x@example.net", "y@example.net");

        assertTookAtMost(Duration.ofSeconds(2));
        assertReply(result, "x@example.net", "554 5.7.1 no mail from your network");
        assertReply(result, "y@example.net", "554 5.7.1 no mail from your network");
        // Marked, so that the dispatcher tries the next exchanger and never bounces on it.
        assertTrue(result.recipients().stream().allMatch(RecipientResult::atGreeting), "marked as the greeting");
        assertNothingLeftOpen();
        assertEquals(List.of("QUIT"), server.commands());
        assertRecovers();
    }

    // ---- MAIL, RCPT, DATA ----

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {true, false})
    void aTransientMailFromRefusalIsEveryRecipientsReply(boolean pipelining) {
        server = TestSmtpServer.start(lockStepIf(pipelining,
                Options.defaults().withReply("MAIL", "451 4.3.2 sender rate exceeded")));
        client(target(server.port()));

        SmtpResult result = send("x@example.net", "y@example.net");

        assertTookAtMost(Duration.ofSeconds(2));
        assertReply(result, "x@example.net", "451 4.3.2 sender rate exceeded");
        assertReply(result, "y@example.net", "451 4.3.2 sender rate exceeded");
        assertTrue(result.recipients().stream().noneMatch(RecipientResult::atGreeting), "a MAIL reply, not the greeting");
        assertTrue(server.messages().isEmpty());
        assertRecovers(lockStepIf(pipelining, Options.defaults()));
        assertEquals(1, server.connectionCount(), "the refused transaction was cleared and the connection reused");
        assertTrue(server.commands().contains("RSET"), server.commands().toString());
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {true, false})
    void aPermanentMailFromRefusalIsEveryRecipientsReply(boolean pipelining) {
        server = TestSmtpServer.start(lockStepIf(pipelining,
                Options.defaults().withReply("MAIL", "553 5.1.8 sender domain does not exist")));
        client(target(server.port()));

        SmtpResult result = send("x@example.net", "y@example.net");

        assertReply(result, "x@example.net", "553 5.1.8 sender domain does not exist");
        assertReply(result, "y@example.net", "553 5.1.8 sender domain does not exist");
        assertTrue(server.messages().isEmpty());
        assertFalse(server.commands().contains("Subject: t"), "no message text after a refused MAIL");
        assertRecovers(lockStepIf(pipelining, Options.defaults()));
        assertEquals(1, server.connectionCount());
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {true, false})
    void refusedRcptsAreEachRecipientsReplyAndNoMessageIsSent(boolean pipelining) {
        server = TestSmtpServer.start(lockStepIf(pipelining, Options.defaults()));
        client(target(server.port()));

        SmtpResult result = send("tempfail@example.net", "permfail@example.net");

        assertTookAtMost(Duration.ofSeconds(2));
        assertReply(result, "tempfail@example.net", "451 4.3.0 try again later");
        assertReply(result, "permfail@example.net", "550 5.1.1 mailbox unavailable");
        assertTrue(server.messages().isEmpty());
        assertFalse(server.commands().contains("Subject: t"), "no message text without an accepted recipient");
        assertRecovers(lockStepIf(pipelining, Options.defaults()));
        assertEquals(1, server.connectionCount());
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {true, false})
    void partialAcceptanceGivesEachRecipientItsOwnOutcome(boolean pipelining) {
        server = TestSmtpServer.start(lockStepIf(pipelining, Options.defaults()));
        client(target(server.port()));

        SmtpResult result = send("ok@example.net", "permfail@example.net", "tempfail@example.net");

        assertTrue(result.recipient("ok@example.net").isAccepted(), result.toString());
        assertReply(result, "permfail@example.net", "550 5.1.1 mailbox unavailable");
        assertReply(result, "tempfail@example.net", "451 4.3.0 try again later");
        assertEquals(List.of("ok@example.net"), server.awaitMessages(1, SETTLE).get(0).recipients());
        assertRecovers(lockStepIf(pipelining, Options.defaults()));
        assertEquals(1, server.connectionCount());
    }

    @ParameterizedTest(name = "reply={0}")
    @ValueSource(strings = {"451 4.3.1 insufficient system storage", "554 5.5.1 no valid recipients"})
    void aRefusedDataCommandIsTheReplyAndNoMessageTextIsSent(String refusal) {
        server = TestSmtpServer.start(Options.defaults().withReply("DATA", refusal));
        client(target(server.port()));

        SmtpResult result = send("x@example.net", "y@example.net");

        assertTookAtMost(Duration.ofSeconds(2));
        assertReply(result, "x@example.net", refusal);
        assertReply(result, "y@example.net", refusal);
        assertTrue(server.messages().isEmpty());
        assertFalse(server.commands().contains("Subject: t"), "message text sent although 354 never came");
        assertRecovers();
        assertEquals(1, server.connectionCount());
    }

    @ParameterizedTest(name = "reply={0}")
    @ValueSource(strings = {"451 4.7.1 greylisted, try again", "554 5.7.1 message rejected as spam"})
    void theReplyAfterTheFinalDotIsEveryAcceptedRecipientsVerdict(String verdict) {
        server = TestSmtpServer.start(Options.defaults().withDataReply(verdict));
        client(target(server.port()));

        SmtpResult result = send("x@example.net", "permfail@example.net");

        assertReply(result, "x@example.net", verdict);
        assertReply(result, "permfail@example.net", "550 5.1.1 mailbox unavailable");
        assertRecovers();
        assertEquals(1, server.connectionCount());
    }

    // ---- while the message is sent ----

    @Test
    void aHangUpInTheMiddleOfTheMessageIsAFailureForAllAndNotRetriedOnTheSpot() {
        server = TestSmtpServer.start(Options.defaults().withDisconnectDuringData(1000));
        client(target(server.port()));
        Buffer big = Buffer.buffer("Subject: big\r\n\r\n" + "0123456789abcdef\r\n".repeat(4000));

        SmtpResult result = send(new SmtpEnvelope(FROM, List.of("x@example.net", "y@example.net")), big);

        assertTookAtMost(Duration.ofSeconds(2));
        for (RecipientResult r : result.recipients()) {
            assertNull(r.reply(), r.toString());
            assertNotNull(r.failure());
        }
        assertTrue(server.messages().isEmpty());
        assertNothingLeftOpen();
        assertEquals(1, server.connectionCount(), "a message may have been partly taken: no instant retry");
        assertRecovers();
    }

    @Test
    void aReaderSlowerThanTheDataTimeoutIsATimeoutFailure() {
        server = TestSmtpServer.start(Options.defaults().withSlowBodyReader(1000));
        client(target(server.port()));
        Buffer body = Buffer.buffer("Subject: slow\r\n\r\n" + "x".repeat(78).concat("\r\n").repeat(25)); // 2 KB

        SmtpResult result = send(new SmtpEnvelope(FROM, List.of("x@example.net")), body);

        assertTookAtMost(DATA.plusSeconds(1));
        assertFailure(result, "x@example.net", "timeout after 800 ms waiting for the reply to the message");
        assertNothingLeftOpen();
        assertRecovers();
    }

    @Test
    void aSlowReaderWithinTheDataTimeoutStillGetsTheMessage() {
        server = TestSmtpServer.start(Options.defaults().withSlowBodyReader(10_000));
        client(target(server.port()));
        Buffer body = Buffer.buffer("Subject: slow\r\n\r\n" + "x".repeat(78).concat("\r\n").repeat(25)); // 2 KB

        SmtpResult result = send(new SmtpEnvelope(FROM, List.of("x@example.net")), body);

        assertTrue(result.allAccepted(), result.toString());
        assertTrue((System.nanoTime() - startedNanos) / 1_000_000 >= 150, "the reader was not slow");
        assertRecovers();
    }

    // ---- TLS ----

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = StartTlsFault.class, names = {"GARBAGE", "CLOSE"})
    void aBrokenHandshakeWithOptionalTlsIsAFailureWithoutPlainTextFallback(StartTlsFault fault) {
        server = TestSmtpServer.start(Options.defaults().withStartTls().withStartTlsFault(fault));
        client(target(server.port()).withTls(TlsMode.OPTIONAL, true));

        SmtpResult result = send("x@example.net", "y@example.net");

        assertTookAtMost(COMMAND.plusSeconds(1));
        for (RecipientResult r : result.recipients()) {
            assertNull(r.reply(), r.toString());
            assertNotNull(r.failure());
        }
        assertFalse(result.tlsUsed());
        assertNothingLeftOpen();
        assertEquals(1, server.connectionCount(), "no second, plain-text connection");
        assertFalse(server.commands().stream().anyMatch(c -> c.startsWith("MAIL")), server.commands().toString());
        assertRecovers(Options.defaults().withStartTls());
    }

    @Test
    void anUntrustedCertificateWithVerifiedTlsIsATlsFailureAndNothingIsSent() {
        TestCertificates mx = TestCertificates.forNames("mx.example.test");
        server = TestSmtpServer.start(Options.defaults().withStartTls(), SelfSignedTls.serverContext());
        client(target(server.port()).withTrust(mx.trust()).withVerifiedTls("mx.example.test"));

        SmtpResult result = send("x@example.net");

        assertTookAtMost(COMMAND.plusSeconds(1));
        assertNotNull(result.recipient("x@example.net").failure());
        assertEquals(TlsFailure.CERTIFICATE_NOT_TRUSTED, result.tlsFailure().orElseThrow());
        assertNothingLeftOpen();
        assertFalse(server.commands().stream().anyMatch(c -> c.startsWith("MAIL")), server.commands().toString());
        server.reconfigure(Options.defaults().withStartTls(), mx.serverContext());
        assertRecovers(Options.defaults().withStartTls());
    }

    @Test
    void a421ToStartTlsIsEveryRecipientsReply() {
        server = TestSmtpServer.start(Options.defaults().withStartTls()
                .withReply("STARTTLS", "421 4.3.2 shutting down"));
        client(target(server.port()).withTls(TlsMode.OPTIONAL, true));

        SmtpResult result = send("x@example.net");

        assertTookAtMost(Duration.ofSeconds(2));
        assertReply(result, "x@example.net", "421 4.3.2 shutting down");
        assertNothingLeftOpen();
        assertFalse(server.commands().stream().anyMatch(c -> c.startsWith("MAIL")), server.commands().toString());
        assertRecovers(Options.defaults().withStartTls());
    }

    // ---- message size (RFC 1870) ----

    @Test
    void aMessageOverTheAnnouncedSizeIsRefusedLocallyAsTooLarge() {
        server = TestSmtpServer.start(Options.defaults().withSizeLimit(1000, true));
        client(target(server.port()));
        Buffer big = Buffer.buffer("Subject: big\r\n\r\n" + "x".repeat(2000) + "\r\n");

        SmtpResult result = send(new SmtpEnvelope(FROM, List.of("x@example.net", "y@example.net")), big);

        for (RecipientResult r : result.recipients()) {
            assertNull(r.failure(), r.toString());
            assertEquals(552, r.reply().code());
            assertEquals("5.3.4", r.reply().enhancedCode());
            assertTrue(r.reply().text().contains("exceeds size limit 1000"), r.reply().text());
            assertEquals(BounceClass.MESSAGE_TOO_LARGE, BounceClassifier.classify(r.reply()));
        }
        assertFalse(server.commands().stream().anyMatch(c -> c.startsWith("MAIL")), server.commands().toString());
        assertRecovers(Options.defaults().withSizeLimit(1000, true));
        assertEquals(1, server.connectionCount(), "the connection stays usable");
    }

    @Test
    void a552AfterTheFinalDotIsAPermanentTooLargeReply() {
        server = TestSmtpServer.start(Options.defaults().withSizeLimit(1000, false));
        client(target(server.port()));
        Buffer big = Buffer.buffer("Subject: big\r\n\r\n" + "x".repeat(2000) + "\r\n");

        SmtpResult result = send(new SmtpEnvelope(FROM, List.of("x@example.net")), big);

        RecipientResult r = result.recipient("x@example.net");
        assertNull(r.failure(), r.toString());
        assertEquals(552, r.reply().code());
        assertEquals(BounceClass.MESSAGE_TOO_LARGE, BounceClassifier.classify(r.reply()));
        assertTrue(server.messages().isEmpty());
        assertRecovers();
        assertEquals(1, server.connectionCount());
    }

    // ---- reply framing ----

    @Test
    void repliesThatComeSlowlyInPiecesAreReassembled() {
        server = TestSmtpServer.start(Options.defaults().withRepliesInPieces(5));
        client(target(server.port()));

        SmtpResult result = send("x@example.net", "permfail@example.net");

        assertTrue(result.recipient("x@example.net").isAccepted(), result.toString());
        assertReply(result, "permfail@example.net", "550 5.1.1 mailbox unavailable");
        assertTrue(server.commands().contains("EHLO localhost"), server.commands().toString());
        assertRecovers();
        assertEquals(1, server.connectionCount());
    }

    @Test
    void aFinalReplyWithoutLineEndBeforeHangingUpIsAFailureNotADelivery() {
        // The server did take the message: reporting a failure means it may come twice (RFC 1047),
        // the price of never losing one; a cut-off line is no reply (Postfix refuses it too).
        server = TestSmtpServer.start(Options.defaults().withUnterminatedFinalReply());
        client(target(server.port()));

        SmtpResult result = send("x@example.net");

        assertTookAtMost(Duration.ofSeconds(2));
        assertFailure(result, "x@example.net", "connection closed");
        assertEquals(1, server.messages().size());
        assertNothingLeftOpen();
        server.clear();
        assertRecovers();
    }
}
