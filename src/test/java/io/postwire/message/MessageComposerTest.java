package io.postwire.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.TextBody;
import org.junit.jupiter.api.Test;

class MessageComposerTest {

    private static final Instant DATE = Instant.ofEpochSecond(1700000000L);
    private final MessageComposer composer = new MessageComposer();

    static MessageContent content(String subject, String text, String html, Map<String, String> headers) {
        return new MessageContent("Alice <alice@example.com>", List.of("bob@example.org"), null, subject, text, html,
                headers, "m1.abc@mail.example.com", DATE);
    }

    @Test
    void textOnlyIsASingleTextPlainPart() throws IOException {
        String wire = compose(content("Hello", "Hi Bob,\nsee you.\n", null, null));

        assertTrue(wire.contains("\r\nFrom: Alice <alice@example.com>\r\n") || wire.startsWith("From:"), wire);
        assertTrue(wire.contains("To: bob@example.org\r\n"), wire);
        assertTrue(wire.contains("Subject: Hello\r\n"), wire);
        assertTrue(wire.contains("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"), wire);
        assertTrue(wire.contains("Message-ID: <m1.abc@mail.example.com>\r\n"), wire);
        assertTrue(wire.contains("MIME-Version: 1.0\r\n"), wire);
        assertTrue(wire.contains("Content-Type: text/plain; charset=UTF-8\r\n"), wire);
        assertTrue(wire.contains("Content-Transfer-Encoding: 7bit\r\n"), wire);
        assertTrue(wire.endsWith("\r\n\r\nHi Bob,\r\nsee you.\r\n"), wire);
        assertFalse(wire.contains("multipart"), wire);
        assertFalse(wire.contains("Cc:"), wire);
        assertEquals("Hi Bob,\r\nsee you.\r\n", textOf(parse(wire)));
    }

    @Test
    void htmlOnlyIsASingleTextHtmlPart() throws IOException {
        String wire = compose(content("Hello", null, "<p>Hi</p>", null));

        assertTrue(wire.contains("Content-Type: text/html; charset=UTF-8\r\n"), wire);
        assertFalse(wire.contains("text/plain"), wire);
        assertEquals("<p>Hi</p>\r\n", textOf(parse(wire)));
    }

    @Test
    void textAndHtmlAreAlternativesWithTextFirst() throws IOException {
        Message parsed = parse(compose(content("Hello", "plain version", "<p>html version</p>", null)));

        assertEquals("multipart/alternative", parsed.getMimeType());
        List<Entity> parts = ((Multipart) parsed.getBody()).getBodyParts();
        assertEquals(2, parts.size());
        assertEquals("text/plain", parts.get(0).getMimeType());
        assertEquals("UTF-8", parts.get(0).getCharset());
        assertEquals("plain version\r\n", textOf(parts.get(0)));
        assertEquals("text/html", parts.get(1).getMimeType());
        assertEquals("<p>html version</p>\r\n", textOf(parts.get(1)));
    }

    @Test
    void nonAsciiSubjectAndDisplayNamesBecomeUtf8EncodedWords() throws IOException {
        MessageContent c = new MessageContent("Jörg Müller <joerg@example.com>",
                List.of("\"Doe, John\" <john@example.org>", "Zoë <zoe@example.org>"), List.of("carol@example.org"),
                "Grüße aus Köln — a subject long enough that the encoded words must be folded over lines",
                "text", null, null, "m2@mail.example.com", DATE);
        String wire = compose(c);

        String subjectField = unfoldedField(wire, "Subject");
        assertTrue(subjectField.startsWith("=?UTF-8?"), subjectField);
        assertEquals(c.subject(), DecoderUtil.decodeEncodedWords(subjectField, org.apache.james.mime4j.codec.DecodeMonitor.STRICT));
        String from = unfoldedField(wire, "From");
        assertTrue(from.startsWith("=?UTF-8?Q?J=C3=B6rg"), from);
        assertTrue(from.endsWith("<joerg@example.com>"), from);
        assertTrue(unfoldedField(wire, "To").startsWith("\"Doe, John\" <john@example.org>, =?UTF-8?"), wire);
        assertEquals("carol@example.org", unfoldedField(wire, "Cc"));

        Message parsed = parse(wire);
        assertEquals("Jörg Müller", parsed.getFrom().get(0).getName());
        assertEquals("Zoë", ((org.apache.james.mime4j.dom.address.Mailbox) parsed.getTo().get(1)).getName());
        assertEquals(c.subject(), parsed.getSubject());
    }

    @Test
    void nonAsciiOrLongLineBodiesUseQuotedPrintable() throws IOException {
        String umlauts = "Grüße\nzweite Zeile\n";
        String longLine = "x".repeat(5000) + "\n";

        String wire = compose(content("s", umlauts, longLine, null));
        assertEquals(2, count(wire, "Content-Transfer-Encoding: quoted-printable\r\n"), wire);
        Multipart parts = (Multipart) parse(wire).getBody();
        assertEquals("Grüße\r\nzweite Zeile\r\n", textOf(parts.getBodyParts().get(0)));
        assertEquals(longLine.replace("\n", "\r\n"), textOf(parts.getBodyParts().get(1)));
        assertLinesAtMost(wire, 78);
    }

    @Test
    void extraHeadersAreAddedVerbatimInOrder() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("List-Unsubscribe", "<https://example.com/u/1>, <mailto:u-1@example.com>");
        headers.put("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        headers.put("X-Postwire-Id", "abc123");
        String wire = compose(content("s", "t", null, headers));

        int a = wire.indexOf("List-Unsubscribe: <https://example.com/u/1>, <mailto:u-1@example.com>\r\n");
        int b = wire.indexOf("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
        int c = wire.indexOf("X-Postwire-Id: abc123\r\n");
        assertTrue(a >= 0 && a < b && b < c, wire);
    }

    @Test
    void headerInjectionIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> composer.compose(content("hi\r\nBcc: x@evil.test", "t", null, null)));
        assertThrows(IllegalArgumentException.class, () -> composer.compose(content("hi\nBcc: x@evil.test", "t", null, null)));
        assertThrows(IllegalArgumentException.class,
                () -> composer.compose(content("s", "t", null, Map.of("X-A", "v\r\nBcc: x@evil.test"))));
        assertThrows(IllegalArgumentException.class, () -> composer.compose(content("s", "t", null, Map.of("X-A", "v\rw"))));
        assertThrows(IllegalArgumentException.class, () -> composer.compose(content("s", "t", null, Map.of("X-A\r\nBcc", "v"))));
        assertThrows(IllegalArgumentException.class, () -> composer.compose(content("s", "t", null, Map.of("X A", "v"))));
        assertThrows(IllegalArgumentException.class, () -> composer.compose(content("s", "t", null, Map.of("Subject", "dup"))));
        assertThrows(IllegalArgumentException.class, () -> composer.compose(content("s", "t", null, Map.of("X-A", "Grüße"))));
        assertThrows(IllegalArgumentException.class, () -> composer.compose(new MessageContent(
                "a@example.com\r\nBcc: x@evil.test", List.of("b@example.org"), null, "s", "t", null, null, "m@x", DATE)));
        assertThrows(IllegalArgumentException.class, () -> composer.compose(new MessageContent(
                "a@example.com", List.of("b@example.org\nBcc: x@evil.test"), null, "s", "t", null, null, "m@x", DATE)));
    }

    @Test
    void contentIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> content("s", null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new MessageContent(
                "a@example.com", List.of(), null, "s", "t", null, null, "m@x", DATE));
        assertThrows(IllegalArgumentException.class, () -> new MessageContent(
                "a@example.com", List.of("b@example.org"), null, "s", "t", null, null, "<m@x>", DATE));
        assertThrows(IllegalArgumentException.class, () -> composer.compose(new MessageContent(
                "not an address", List.of("b@example.org"), null, "s", "t", null, null, "m@x", DATE)));
    }

    @Test
    void everyLineEndsInCrlfAndFitsIn998Octets() {
        List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            many.add("Recipient Number " + i + " <recipient-" + i + "@example.org>");
        }
        String longWords = "word ".repeat(400);
        MessageContent c = new MessageContent("a@example.com", many, many, "ü " + longWords, "é\n" + "y".repeat(3000) + "\r\n\r",
                "<p>" + "z".repeat(3000) + "</p>\n", Map.of("X-Long", longWords.strip()), "m@x", DATE);
        String wire = compose(c);

        assertLinesAtMost(wire, 998);
        for (int i = 0; i < wire.length(); i++) {
            if (wire.charAt(i) == '\n') {
                assertEquals('\r', wire.charAt(i - 1), "bare LF at " + i);
            } else if (wire.charAt(i) == '\r') {
                assertEquals('\n', wire.charAt(i + 1), "bare CR at " + i);
            }
        }
    }

    @Test
    void unfoldableHeaderLongerThan998IsRejected() {
        Map<String, String> headers = Map.of("X-Token", "t".repeat(1200));
        assertThrows(IllegalArgumentException.class, () -> composer.compose(content("s", "t", null, headers)));
    }

    private String compose(MessageContent content) {
        return new String(composer.compose(content), StandardCharsets.US_ASCII);
    }

    private static Message parse(String wire) throws IOException {
        return Message.Builder.of(new ByteArrayInputStream(wire.getBytes(StandardCharsets.US_ASCII))).build();
    }

    private static String textOf(Entity entity) throws IOException {
        try (var reader = ((TextBody) entity.getBody()).getReader()) {
            StringBuilder out = new StringBuilder();
            reader.transferTo(new java.io.Writer() {
                @Override public void write(char[] cbuf, int off, int len) {
                    out.append(cbuf, off, len);
                }
                @Override public void flush() {
                }
                @Override public void close() {
                }
            });
            return out.toString();
        }
    }

    /** The value of the first header field named {@code name}, unfolded, without leading space. */
    private static String unfoldedField(String wire, String name) {
        String headers = "\r\n" + wire.substring(0, wire.indexOf("\r\n\r\n") + 2);
        int start = headers.indexOf("\r\n" + name + ":");
        assertTrue(start >= 0, name + " missing in " + wire);
        int end = start + 2;
        do {
            end = headers.indexOf("\r\n", end) + 2;
        } while (end < headers.length() && (headers.charAt(end) == ' ' || headers.charAt(end) == '\t'));
        return headers.substring(start + 2 + name.length() + 1, end - 2).replace("\r\n", "").strip();
    }

    private static void assertLinesAtMost(String wire, int max) {
        for (String line : wire.split("\r\n")) {
            assertTrue(line.length() <= max, "line of " + line.length() + ": " + line.substring(0, Math.min(80, line.length())));
        }
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
