package io.postwire.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.testsupport.ReceivedMessage;
import io.postwire.testsupport.TestSmtpServer;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** STARTTLS (RFC 3207) and AUTH (RFC 4954) against the test server's self-signed TLS. */
class SmtpClientTlsAuthTest extends SmtpClientTestBase {

    private static final Buffer MESSAGE = Buffer.buffer("Subject: tls\r\n\r\nsecret body\r\n");
    private static final SmtpEnvelope ENV = SmtpEnvelope.of("a@example.org", "b@example.net");

    private SmtpResult send(TestSmtpServer.Options options, TlsMode mode, boolean trustAll, SmtpCredentials creds) {
        server = TestSmtpServer.start(options);
        RelayTarget target = quick(server.host(), server.port(), mode, trustAll);
        client = new SmtpClient(vertx, creds == null ? target : target.withCredentials(creds));
        return client.send(ENV, MESSAGE).await().atMost(Duration.ofSeconds(20));
    }

    @ParameterizedTest
    @EnumSource(value = TlsMode.class, names = {"OPTIONAL", "REQUIRED"})
    void usesStartTlsWhenOffered(TlsMode mode) {
        SmtpResult result = send(TestSmtpServer.Options.defaults().withStartTls(), mode, true, null);

        assertTrue(result.allAccepted(), result.toString());
        assertTrue(result.tlsUsed());
        assertTrue(server.awaitMessages(1, Duration.ofSeconds(5)).get(0).tls());
        // RFC 3207 §4.2: EHLO again after the handshake.
        assertEquals(2, server.commands().stream().filter(c -> c.startsWith("EHLO")).count(), server.commands().toString());
    }

    @Test
    void tlsModeOffStaysInPlainTextEvenWhenOffered() {
        SmtpResult result = send(TestSmtpServer.Options.defaults().withStartTls(), TlsMode.OFF, false, null);

        assertTrue(result.allAccepted(), result.toString());
        assertFalse(result.tlsUsed());
        assertFalse(server.awaitMessages(1, Duration.ofSeconds(5)).get(0).tls());
    }

    @Test
    void aSelfSignedCertificateFailsWithDefaultTrust() {
        SmtpResult result = send(TestSmtpServer.Options.defaults().withStartTls(), TlsMode.REQUIRED, false, null);

        RecipientResult r = result.recipient("b@example.net");
        assertNull(r.reply());
        assertTrue(r.failure().startsWith("TLS handshake failed"), r.failure());
        assertTrue(server.messages().isEmpty());
    }

    @Test
    void authPlainSucceedsOverTls() {
        SmtpResult result = send(TestSmtpServer.Options.defaults().withStartTls().withAuth("alice", "s3cret"),
                TlsMode.REQUIRED, true, SmtpCredentials.of("alice", "s3cret"));

        assertTrue(result.allAccepted(), result.toString());
        ReceivedMessage m = server.awaitMessages(1, Duration.ofSeconds(5)).get(0);
        assertEquals("alice", m.authUser());
        assertTrue(server.commands().contains("AUTH PLAIN"), server.commands().toString());
    }

    @Test
    void authLoginSucceedsOverTls() {
        SmtpResult result = send(TestSmtpServer.Options.defaults().withStartTls().withAuth("bob", "pa ss"),
                TlsMode.OPTIONAL, true, SmtpCredentials.of("bob", "pa ss", AuthMechanism.LOGIN));

        assertTrue(result.allAccepted(), result.toString());
        assertEquals("bob", server.awaitMessages(1, Duration.ofSeconds(5)).get(0).authUser());
        assertTrue(server.commands().contains("AUTH LOGIN"), server.commands().toString());
    }

    @Test
    void aWrongPasswordIsATransientFailureNamingThe535() {
        SmtpResult result = send(TestSmtpServer.Options.defaults().withStartTls().withAuth("alice", "s3cret"),
                TlsMode.REQUIRED, true, SmtpCredentials.of("alice", "wrong"));

        // Our credentials are wrong, not the recipient: no reply to bounce on, the send is deferred.
        RecipientResult r = result.recipient("b@example.net");
        assertNull(r.reply(), r.toString());
        assertTrue(r.failure().contains("relay refused authentication: 535 5.7.8"), r.failure());
        assertTrue(result.tlsUsed());
        assertTrue(server.messages().isEmpty());
    }

    @Test
    void credentialsAreNeverSentWithoutTls() {
        SmtpResult result = send(TestSmtpServer.Options.defaults().withAuth("alice", "s3cret"),
                TlsMode.OPTIONAL, true, SmtpCredentials.of("alice", "s3cret"));

        RecipientResult r = result.recipient("b@example.net");
        assertNull(r.reply());
        assertEquals("refusing AUTH without TLS", r.failure());
        assertFalse(server.commands().stream().anyMatch(c -> c.startsWith("AUTH")), server.commands().toString());
        assertFalse(server.commands().stream().anyMatch(c -> c.startsWith("MAIL")), server.commands().toString());
    }

    @Test
    void credentialsNeverShowThePassword() {
        String text = RelayTarget.of("h", 25).withCredentials(SmtpCredentials.of("alice", "s3cret")).toString();

        assertTrue(text.contains("alice"), text);
        assertFalse(text.contains("s3cret"), text);
    }
}
