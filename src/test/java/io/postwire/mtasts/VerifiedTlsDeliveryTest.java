package io.postwire.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.smtp.RelayTarget;
import io.postwire.smtp.SmtpClient;
import io.postwire.smtp.SmtpEnvelope;
import io.postwire.smtp.SmtpResult;
import io.postwire.smtp.TlsFailure;
import io.postwire.smtp.TlsMode;
import io.postwire.testsupport.TestCertificates;
import io.postwire.testsupport.TestSmtpServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.TrustOptions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SMTP side of MTA-STS enforce (RFC 8461 §4.2) against a real STARTTLS server on 127.0.0.1
 * whose certificate is for {@code mx.example.test}: the client connects to the address and
 * authenticates the server as the MX host name it is given, and each failure is named as TLS-RPT
 * names it. The resulting {@link TlsReport}s are checked on the way.
 */
class VerifiedTlsDeliveryTest {

    private static final Buffer MESSAGE = Buffer.buffer("Subject: sts\r\n\r\nbody\r\n");
    private static final SmtpEnvelope ENV = SmtpEnvelope.of("a@example.org", "b@example.test");
    private static final TlsPolicy ENFORCE = new TlsPolicy.Enforce(List.of("mx.example.test"));

    private final Vertx vertx = Vertx.vertx();
    private final TestCertificates mxCertificate = TestCertificates.forNames("mx.example.test");
    private TestSmtpServer server;
    private SmtpClient client;

    @AfterEach
    void closeAll() throws Exception {
        if (client != null) {
            client.close().await().atMost(Duration.ofSeconds(10));
        }
        if (server != null) {
            server.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private SmtpResult sendVerified(TestSmtpServer.Options options, TestCertificates presented, String name,
            TrustOptions anchors) {
        server = TestSmtpServer.start(options, presented.serverContext());
        RelayTarget target = RelayTarget.of("127.0.0.1", server.port()).withVerifiedTls(name).withTrust(anchors)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));
        client = new SmtpClient(vertx, target);
        return client.send(ENV, MESSAGE).await().atMost(Duration.ofSeconds(20));
    }

    @Test
    void certificateForTheMxHostNameIsAcceptedAtItsAddress() {
        SmtpResult result = sendVerified(TestSmtpServer.Options.defaults().withStartTls(), mxCertificate,
                "mx.example.test", mxCertificate.trust());

        assertTrue(result.allAccepted(), result.toString());
        assertTrue(result.tlsUsed());
        assertEquals(Optional.empty(), result.tlsFailure());
        assertTrue(server.awaitMessages(1, Duration.ofSeconds(5)).get(0).tls());
        TlsReport report = TlsReport.forSession("example.test", "mx.example.test", ENFORCE, result).orElseThrow();
        assertEquals(TlsResult.SUCCESS, report.result());
        assertEquals("enforce", report.policyMode());
        assertTrue(report.tlsUsed());
    }

    @Test
    void certificateForAnotherNameIsAHostMismatchAndNothingIsSent() {
        SmtpResult result = sendVerified(TestSmtpServer.Options.defaults().withStartTls(), mxCertificate,
                "other.example.test", mxCertificate.trust());

        assertEquals(Optional.of(TlsFailure.CERTIFICATE_HOST_MISMATCH), result.tlsFailure(), result.toString());
        assertFalse(result.tlsUsed());
        assertFalse(result.allAccepted());
        assertTrue(server.commands().stream().noneMatch(c -> c.startsWith("MAIL")), server.commands().toString());
        assertTrue(server.messages().isEmpty());
        TlsReport report = TlsReport.forSession("example.test", "other.example.test", ENFORCE, result).orElseThrow();
        assertEquals("certificate-host-mismatch", report.result().resultType());
        assertEquals(Optional.of("other.example.test"), report.mxHost());
    }

    @Test
    void wildcardCertificateCoversTheLeftmostLabel() {
        TestCertificates wildcard = TestCertificates.forNames("*.example.test");
        SmtpResult covered = sendVerified(TestSmtpServer.Options.defaults().withStartTls(), wildcard,
                "mx.example.test", wildcard.trust());
        assertTrue(covered.allAccepted(), covered.toString());
    }

    @Test
    void wildcardCertificateDoesNotCoverTwoLabels() {
        TestCertificates wildcard = TestCertificates.forNames("*.example.test");
        SmtpResult deeper = sendVerified(TestSmtpServer.Options.defaults().withStartTls(), wildcard,
                "a.mx.example.test", wildcard.trust());
        assertEquals(Optional.of(TlsFailure.CERTIFICATE_HOST_MISMATCH), deeper.tlsFailure(), deeper.toString());
        assertTrue(server.messages().isEmpty());
    }

    @Test
    void certificateFromAnUntrustedIssuerIsNotTrusted() {
        TrustOptions otherAnchor = TestCertificates.forNames("unrelated.example.test").trust();
        SmtpResult result = sendVerified(TestSmtpServer.Options.defaults().withStartTls(), mxCertificate,
                "mx.example.test", otherAnchor);

        assertEquals(Optional.of(TlsFailure.CERTIFICATE_NOT_TRUSTED), result.tlsFailure(), result.toString());
        assertTrue(server.messages().isEmpty());
    }

    @Test
    void serverWithoutStartTlsIsStartTlsNotSupported() {
        SmtpResult result = sendVerified(TestSmtpServer.Options.defaults(), mxCertificate, "mx.example.test",
                mxCertificate.trust());

        assertEquals(Optional.of(TlsFailure.STARTTLS_NOT_SUPPORTED), result.tlsFailure(), result.toString());
        assertTrue(server.messages().isEmpty());
        assertEquals(TlsResult.STARTTLS_NOT_SUPPORTED,
                TlsReport.forSession("example.test", "mx.example.test", ENFORCE, result).orElseThrow().result());
    }

    @Test
    void opportunisticTlsStillDeliversWhatVerifiedTlsRefuses() {
        server = TestSmtpServer.start(TestSmtpServer.Options.defaults().withStartTls(), mxCertificate.serverContext());
        client = new SmtpClient(vertx, RelayTarget.of("127.0.0.1", server.port()).withTls(TlsMode.OPTIONAL, true));
        SmtpResult delivered = client.send(ENV, MESSAGE).await().atMost(Duration.ofSeconds(20));

        assertTrue(delivered.allAccepted(), delivered.toString());
        assertTrue(delivered.tlsUsed());
        assertEquals(TlsResult.SUCCESS, TlsReport.forSession("example.test", "mx.example.test",
                new TlsPolicy.None(), delivered).orElseThrow().result());
    }

    @Test
    void refusedConnectionSaysNothingAboutTls() {
        int closedPort;
        try (TestSmtpServer gone = TestSmtpServer.start()) {
            closedPort = gone.port();
        }
        client = new SmtpClient(vertx, RelayTarget.of("127.0.0.1", closedPort).withVerifiedTls("mx.example.test")
                .withTrust(mxCertificate.trust()));
        SmtpResult result = client.send(ENV, MESSAGE).await().atMost(Duration.ofSeconds(20));

        assertFalse(result.allAccepted());
        assertEquals(Optional.empty(), result.tlsFailure());
        assertEquals(Optional.empty(), TlsReport.forSession("example.test", "mx.example.test", ENFORCE, result));
    }

    @Test
    void opportunisticPlainTextDeliveryIsRecordedAsWithoutTls() {
        server = TestSmtpServer.start(TestSmtpServer.Options.defaults());
        client = new SmtpClient(vertx, RelayTarget.of("127.0.0.1", server.port()).withTls(TlsMode.OPTIONAL, false));
        SmtpResult result = client.send(ENV, MESSAGE).await().atMost(Duration.ofSeconds(20));

        assertTrue(result.allAccepted(), result.toString());
        assertFalse(result.tlsUsed());
        TlsReport report = TlsReport.forSession("example.test", "mx.example.test", new TlsPolicy.None(), result)
                .orElseThrow();
        assertFalse(report.tlsUsed());
        assertEquals("none", report.policyMode());
        assertEquals(TlsResult.STARTTLS_NOT_SUPPORTED, report.result());
    }
}
