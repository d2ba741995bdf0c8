package io.postwire.doors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.bus.Topics;
import io.postwire.event.Delivered;
import io.postwire.event.EventCodec;
import io.postwire.event.EventEnvelope;
import io.postwire.feedback.VerpToken;
import io.postwire.submission.SubmissionServer;
import io.postwire.testsupport.DeliveryTestResource;
import io.postwire.testsupport.Dkimpy;
import io.postwire.testsupport.PostwireInfra;
import io.postwire.testsupport.ReceivedMessage;
import io.postwire.testsupport.Swaks;
import io.postwire.testsupport.TopicTap;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The submission door end to end, with swaks as the client: STARTTLS, AUTH with an API key,
 * the message relayed exactly as submitted (plus Message-ID/Date it lacked, the tracking header
 * and the DKIM signature), a signed VERP return path, and the refusals that keep it from being
 * an open relay.
 */
@QuarkusTest
@QuarkusTestResource(DeliveryTestResource.class)
class SubmissionDoorTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern QUEUED = Pattern.compile("250 2\\.0\\.0 Ok: queued as ([0-9a-f-]{36})");

    @Inject
    SubmissionServer submission;

    private final EventCodec codec = new EventCodec();

    @Test
    void anApiKeyOverStartTlsSubmitsAndTheBytesAreRelayedAsSubmitted(@TempDir Path tmp) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String first = "sub-" + run + "@dest.test";
        String second = "sub2-" + run + "@other-" + run + ".test";
        // No Message-ID and no Date; an 8-bit ISO-8859-1 body that is not valid UTF-8.
        byte[] message = ("From: App <app@example.test>\r\nTo: " + first + "\r\nSubject: submitted " + run
                + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\nCaf\u00e9 cr\u00e8me " + run + "\r\n.leading dot\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        Path data = tmp.resolve("m.eml");
        Files.write(data, Arrays.copyOf(message, message.length - 2)); // swaks adds the CRLF before "."

        Swaks.Result r = Swaks.run(submission.port(), "--tls", "--auth", "PLAIN", "--auth-user", "apikey",
                "--auth-password", DeliveryTestResource.API_KEY, "--from", "app@example.test",
                "--to", first + "," + second, "--data", "@" + data);

        assertEquals(0, r.exit(), r.output());
        Matcher queued = QUEUED.matcher(r.output());
        assertTrue(queued.find(), r.output());
        String messageId = queued.group(1);
        assertTrue(r.output().contains("AUTH PLAIN"), r.output());

        ReceivedMessage m = DeliveryTestResource.smtp().awaitMessageFor(first, WAIT);
        byte[] relayed = m.data();
        // Everything the client sent comes out byte for byte at the end of the relayed message...
        assertArrayEquals(message, Arrays.copyOfRange(relayed, relayed.length - message.length, relayed.length),
                () -> new String(relayed, StandardCharsets.ISO_8859_1));
        // ...behind what Postwire adds: DKIM, tracking header, and the Message-ID/Date the client left out.
        String head = new String(relayed, 0, relayed.length - message.length, StandardCharsets.ISO_8859_1);
        assertTrue(head.contains("X-Postwire-Id: " + messageId + ".1\r\n"), head);
        assertTrue(head.contains("Message-ID: <" + messageId + "@example.test>\r\n"), head);
        assertTrue(head.contains("\r\nDate: "), head);
        assertTrue(head.startsWith("DKIM-Signature:"), head);
        assertEquals("verified example.test", Dkimpy.verify(relayed, DeliveryTestResource.DKIM_DOMAIN,
                DeliveryTestResource.DKIM_SELECTOR, DeliveryTestResource.dkimTxtRecord()));
        VerpToken verp = new VerpToken(DeliveryTestResource.BOUNCE_SECRET.getBytes(StandardCharsets.UTF_8));
        assertEquals(messageId + ".1", verp.decode(m.mailFrom()).orElseThrow(), m.mailFrom());

        // The second recipient is its own send of the same message.
        ReceivedMessage m2 = DeliveryTestResource.smtp().awaitMessageFor(second, WAIT);
        assertEquals(messageId + ".2", verp.decode(m2.mailFrom()).orElseThrow());
        try (TopicTap events = new TopicTap(PostwireInfra.config().get("kafka.bootstrap.servers"), Topics.EVENTS)) {
            EventEnvelope e = codec.read(events.await(x -> is(x, Delivered.class, messageId + ".2"), WAIT).value());
            assertEquals(second, e.data().recipient());
            assertEquals("app@example.test", e.data().sender());
        }
    }

    @Test
    void aMessageThatHasItsOwnIdAndDateKeepsThem(@TempDir Path tmp) throws Exception {
        String rcpt = "own-" + UUID.randomUUID().toString().substring(0, 8) + "@dest.test";
        byte[] message = ("Message-ID: <mine@example.test>\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n"
                + "From: app@example.test\r\nSubject: own\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII);
        Path data = tmp.resolve("m.eml");
        Files.write(data, Arrays.copyOf(message, message.length - 2));
        Swaks.Result r = Swaks.run(submission.port(), "--tls", "--auth", "LOGIN", "--auth-user", "anyone",
                "--auth-password", DeliveryTestResource.API_KEY, "--from", "app@mail.example.test", "--to", rcpt,
                "--data", "@" + data);
        assertEquals(0, r.exit(), r.output());
        String relayed = new String(DeliveryTestResource.smtp().awaitMessageFor(rcpt, WAIT).data(), StandardCharsets.US_ASCII);
        assertEquals(1, relayed.split("Message-ID:", -1).length - 1, relayed);
        assertEquals(1, relayed.split("\r\nDate:", -1).length - 1, relayed);
    }

    @Test
    void mailWithoutAuthenticationIsRefused() {
        Swaks.Result r = Swaks.run(submission.port(), "--tls", "--from", "app@example.test", "--to", "x@dest.test");
        assertNotEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("530 5.7.0"), r.output());
    }

    @Test
    void aWrongKeyIsRefused() {
        Swaks.Result r = Swaks.run(submission.port(), "--tls", "--auth", "PLAIN", "--auth-user", "apikey",
                "--auth-password", "not-a-key", "--from", "app@example.test", "--to", "x@dest.test");
        assertNotEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("535 5.7.8"), r.output());
    }

    @Test
    void aSenderOutsideTheAccountsDomainsIsRefused() {
        Swaks.Result r = Swaks.run(submission.port(), "--tls", "--auth", "PLAIN", "--auth-user", "apikey",
                "--auth-password", DeliveryTestResource.API_KEY, "--from", "ceo@bank.test", "--to", "x@dest.test");
        assertNotEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("553 5.7.1"), r.output());
    }

    private boolean is(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r, Class<?> type, String id) {
        try {
            EventEnvelope e = codec.read(r.value());
            return type.isInstance(e.data()) && e.data().recipientId().equals(id);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
