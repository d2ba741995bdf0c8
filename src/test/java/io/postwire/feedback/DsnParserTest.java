package io.postwire.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.event.BounceClass;
import io.postwire.event.Bounced;
import io.postwire.event.PostwireEvent;
import io.postwire.event.SmtpReply;
import io.postwire.feedback.Feedback.DeliveryReport;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DSN quirks the golden samples do not each show, and the reply built from Status + Diagnostic-Code. */
class DsnParserTest {

    private static final SendRef REF = new SendRef("m", "m.1", "a@example.test", "b@dest.test");

    private static DeliveryReport parse(String fields) {
        return DsnParser.parse(fields, OriginalMessage.NONE).orElseThrow();
    }

    private static SmtpReply reply(String recipientGroup) {
        return DsnReply.of(parse("Reporting-MTA: dns; r.test\n\nFinal-Recipient: rfc822; b@dest.test\n"
                + recipientGroup).recipients().get(0));
    }

    @Test
    void noBlankLineAfterThePerMessageFieldsAndNoActionField() {
        DeliveryReport d = parse("Reporting-MTA: dns; r.test\r\nFinal-Recipient: rfc822; <B@Dest.Test>\r\n"
                + "Status: 5.0.0 (permanent failure)\r\n");
        assertEquals("r.test", d.reportingMta());
        assertEquals(RecipientStatus.Action.FAILED, d.recipients().get(0).action());
        assertEquals("5.0.0", d.recipients().get(0).status());
        assertEquals(1, d.about("b@dest.test").size());
    }

    @Test
    void onlyAStatusGivesTheClassCode() {
        assertEquals(new SmtpReply(550, "5.1.1", ""), reply("Action: failed\nStatus: 5.1.1\n"));
        assertEquals(new SmtpReply(450, "4.2.2", ""), reply("Action: delayed\nStatus: 4.2.2\n"));
    }

    @Test
    void noStatusAndNoReplyIsNotReadAsNoSuchUser() {
        SmtpReply r = reply("Action: failed\n");
        assertEquals(554, r.code());
        assertEquals(BounceClass.OTHER, io.postwire.bounce.BounceClassifier.classify(r));
    }

    @Test
    void theStatusDecidesWhenTheRelayGaveUp() {
        SmtpReply r = reply("Action: failed\nStatus: 4.4.7\nDiagnostic-Code: smtp; 451 4.4.0 DNS lookup timed out\n");
        assertEquals(new SmtpReply(451, "4.4.7", "DNS lookup timed out"), r);
        assertEquals(BounceClass.EXPIRED, io.postwire.bounce.BounceClassifier.classify(r));
    }

    @Test
    void anExpansionToOtherAddressesIsNotTakenForTheSend() {
        DeliveryReport d = parse("Reporting-MTA: dns; r.test\n\nOriginal-Recipient: rfc822; list@dest.test\n"
                + "Final-Recipient: rfc822; x@dest.test\nAction: failed\nStatus: 5.1.1\n\n"
                + "Final-Recipient: rfc822; y@dest.test\nAction: failed\nStatus: 5.1.1\n");
        assertEquals(List.of(), FeedbackEvents.toEvents(d, REF, Instant.EPOCH));
        // One group naming another address is an alias rewrite of our recipient.
        DeliveryReport alias = parse("Final-Recipient: rfc822; real@dest.test\nAction: failed\nStatus: 5.2.2\n");
        List<PostwireEvent> events = FeedbackEvents.toEvents(alias, REF, Instant.EPOCH);
        assertEquals(1, events.size());
        assertTrue(events.get(0) instanceof Bounced b && b.bounceClass() == BounceClass.MAILBOX_FULL
                && b.recipient().equals("b@dest.test") && b.fromDsn());
    }

    @Test
    void garbageIsUnrecognisedNotAnException() {
        FeedbackReader reader = new FeedbackReader(new VerpToken(FeedbackGoldenTest.SECRET));
        assertTrue(reader.read("fbl@b.test", new byte[] {0, 1, 2, (byte) 0xff}) instanceof Feedback.Unrecognised);
        assertTrue(reader.read("fbl@b.test", ("Content-Type: multipart/report; report-type=delivery-status; "
                + "boundary=x\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; r\r\n"
                + "--x--\r\n").getBytes()) instanceof Feedback.Unrecognised);
    }
}
