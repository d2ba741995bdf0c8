package io.postwire.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.event.SmtpReply;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link ReplyParser} and {@link EhloCapabilities}: replies however the bytes are split. */
class SmtpReplyParserTest {

    private final List<ServerReply> replies = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private final ReplyParser parser = new ReplyParser(new ReplyParser.Listener() {
        @Override
        public void reply(ServerReply reply) {
            replies.add(reply);
        }

        @Override
        public void malformed(String reason) {
            errors.add(reason);
        }
    });

    private static final String EHLO = "250-mx.example.net greets you\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n"
            + "250-8BITMIME\r\n250-STARTTLS\r\n250-AUTH=LOGIN\r\n250-AUTH PLAIN LOGIN CRAM-MD5\r\n250 SMTPUTF8\r\n";

    @Test
    void aMultiLineReplyFedOneByteAtATimeArrivesOnceWhenComplete() {
        byte[] bytes = (EHLO + "451 4.3.0 try\r\n").getBytes(StandardCharsets.US_ASCII);
        for (byte b : bytes) {
            parser.feed(Buffer.buffer(new byte[] {b}));
        }

        assertEquals(List.of(), errors);
        assertEquals(2, replies.size());
        assertEquals(8, replies.get(0).lines().size());
        assertEquals(250, replies.get(0).code());
        assertEquals(new SmtpReply(451, "4.3.0", "try"), replies.get(1).reply());
        assertFalse(parser.hasPendingInput());
    }

    @Test
    void severalPipelinedRepliesInOneSegmentComeOutInOrder() {
        parser.feed(Buffer.buffer("250 2.1.0 ok\r\n550 5.1.1 no such user\r\n250 2.1.5 ok\r\n354 go ahead\r\n"));

        assertEquals(List.of(250, 550, 250, 354), replies.stream().map(ServerReply::code).toList());
        assertEquals("5.1.1", replies.get(1).reply().enhancedCode());
        assertEquals("no such user", replies.get(1).reply().text());
    }

    @Test
    void aLineSplitAcrossSegmentsIsReassembledAndBareLfIsTolerated() {
        parser.feed(Buffer.buffer("22"));
        parser.feed(Buffer.buffer("0 mx ESMTP\r"));
        assertTrue(replies.isEmpty());
        assertTrue(parser.hasPendingInput());
        parser.feed(Buffer.buffer("\n250\n"));

        assertEquals(List.of(220, 250), replies.stream().map(ServerReply::code).toList());
        assertEquals("mx ESMTP", replies.get(0).reply().text());
        assertEquals("", replies.get(1).reply().text());
    }

    @Test
    void garbageAndCodeChangesInsideAReplyAreProtocolErrors() {
        parser.feed(Buffer.buffer("250-first\r\n251 second\r\n"));
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(replies.isEmpty());

        ReplyParser other = new ReplyParser(listenerInto(errors));
        other.feed(Buffer.buffer("HTTP/1.1 400 Bad Request\r\n"));
        assertEquals(2, errors.size(), errors.toString());
    }

    @Test
    void ehloCapabilitiesAreParsedIncludingTheOldAuthEqualsForm() {
        parser.feed(Buffer.buffer(EHLO));

        EhloCapabilities caps = EhloCapabilities.parse(replies.get(0).lines());

        assertTrue(caps.pipelining());
        assertTrue(caps.startTls());
        assertTrue(caps.eightBitMime());
        assertEquals(35882577, caps.maxSize());
        assertEquals(Set.of(AuthMechanism.PLAIN, AuthMechanism.LOGIN), caps.auth());
        EhloCapabilities bare = EhloCapabilities.parse(List.of("mx.example.net"));
        assertFalse(bare.pipelining() || bare.startTls() || bare.sizeAdvertised() || !bare.auth().isEmpty());
    }

    private ReplyParser.Listener listenerInto(List<String> sink) {
        return new ReplyParser.Listener() {
            @Override
            public void reply(ServerReply reply) {
                replies.add(reply);
            }

            @Override
            public void malformed(String reason) {
                sink.add(reason);
            }
        };
    }
}
