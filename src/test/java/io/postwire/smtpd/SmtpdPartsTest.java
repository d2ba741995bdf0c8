package io.postwire.smtpd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pieces without a socket: replies, CIDRs, options, the line reader, the DATA collector, syntax. */
class SmtpdPartsTest {

    @Test
    void repliesRenderOneOrManyLines() {
        assertEquals("250 2.1.0 Ok\r\n", new SmtpdReply(250, "2.1.0", "Ok").render());
        assertEquals("354 go on\r\n", new SmtpdReply(354, null, "go on").render());
        assertEquals("250-a\r\n250-b\r\n250 c\r\n", new SmtpdReply(250, null, "a\nb\nc").render());
        assertEquals("334 \r\n", new SmtpdReply(334, null, "").render());
        // A handler cannot inject a line.
        assertEquals("550 5.1.1 x  250 ok\r\n", new SmtpdReply(550, "5.1.1", "x\r 250 ok").render());
        assertThrows(IllegalArgumentException.class, () -> new SmtpdReply(250, "5.0.0", "mismatch"));
        assertThrows(IllegalArgumentException.class, () -> new SmtpdReply(99, null, "x"));
        assertTrue(new SmtpdReply(451, "4.3.0", "x").isTransient());
        assertTrue(new SmtpdReply(550, "5.1.1", "x").isPermanent());
    }

    @Test
    void cidrsMatchV4V6AndMappedAddresses() throws Exception {
        Cidr loop = Cidr.parse("127.0.0.0/8");
        assertTrue(loop.contains(InetAddress.getByName("127.1.2.3")));
        assertFalse(loop.contains(InetAddress.getByName("128.0.0.1")));
        assertTrue(loop.contains(InetAddress.getByName("::ffff:127.0.0.9")));
        assertTrue(Cidr.parse("::1/128").contains(InetAddress.getByName("::1")));
        assertFalse(Cidr.parse("::1/128").contains(InetAddress.getByName("127.0.0.1")));
        assertTrue(Cidr.parse("2001:db8::/32").contains(InetAddress.getByName("2001:db8:ffff::1")));
        assertTrue(Cidr.parse("192.0.2.7").contains(InetAddress.getByName("192.0.2.7")));
        assertFalse(Cidr.parse("192.0.2.7").contains(InetAddress.getByName("192.0.2.8")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("203.0.113.1")));
        assertEquals("10.0.0.0/8", Cidr.parse("10.1.2.3/8").toString());
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("localhost"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/x"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse(""));
    }

    @Test
    void optionsAreChecked(@TempDir Path dir) throws Exception {
        SmtpdOptions d = SmtpdOptions.defaults("inbound", "0.0.0.0", 2525);
        assertEquals(1000, d.maxLineLength());
        assertFalse(d.startTlsAvailable());
        assertThrows(IllegalArgumentException.class, () -> d.toBuilder().implicitTls(true).build());
        assertThrows(IllegalArgumentException.class, () -> d.toBuilder().maxLineLength(100).build());
        assertThrows(IllegalArgumentException.class, () -> d.toBuilder().hostname("a b").build());
        assertThrows(IllegalArgumentException.class, () -> d.toBuilder().idleTimeout(Duration.ZERO).build());
        Path pem = Files.writeString(dir.resolve("x.pem"), "");
        SmtpdOptions tls = d.toBuilder().tls(new TlsMaterial(pem, pem)).trustedNetworks("10.0.0.0/8, ::1").build();
        assertTrue(tls.startTlsAvailable());
        assertTrue(tls.trusted(InetAddress.getByName("10.9.9.9")));
        assertTrue(tls.trusted(InetAddress.getByName("::1")));
        assertFalse(tls.trusted(InetAddress.getByName("11.0.0.1")));
    }

    @Test
    void lineReaderSplitsKeepsOrderAndBoundsLongLines() {
        LineReader r = new LineReader(10);
        r.feed(Buffer.buffer("ab\r\ncd\nef"));
        assertLine(r.next(), "ab", true, false);
        assertLine(r.next(), "cd", false, false);
        assertNull(r.next());
        assertTrue(r.hasPartialLine());
        r.feed(Buffer.buffer("gh\r"));
        assertNull(r.next());
        r.feed(Buffer.buffer("\n0123456789abcdef\r\nok\r\n"));
        assertLine(r.next(), "efgh", true, false);
        LineReader.Line longLine = r.next();
        assertTrue(longLine.tooLong());
        assertTrue(longLine.length() <= 10, "kept " + longLine.length());
        assertLine(r.next(), "ok", true, false);
        assertNull(r.next());
        assertFalse(r.hasBufferedInput());
        // Exactly at the limit: 8 octets and CRLF are 10.
        r.feed(Buffer.buffer("12345678\r\n123456789\r\n"));
        assertLine(r.next(), "12345678", true, false);
        assertTrue(r.next().tooLong());
        r.feed(Buffer.buffer("rest\r\nmore"));
        r.discard();
        assertNull(r.next());
        assertFalse(r.hasBufferedInput());
    }

    private static void assertLine(LineReader.Line line, String text, boolean crlf, boolean tooLong) {
        assertEquals(text, new String(line.bytes(), 0, line.length(), StandardCharsets.US_ASCII));
        assertEquals(crlf, line.crlf(), "crlf");
        assertEquals(tooLong, line.tooLong(), "tooLong");
    }

    @Test
    void collectorUnstuffsAndEndsOnlyOnCrlfDotCrlf() {
        MessageCollector c = new MessageCollector(1000);
        LineReader r = new LineReader(1000);
        r.feed(Buffer.buffer("a\r\n..b\r\n.\nc\n.\r\n.\r\n"));
        boolean end = false;
        LineReader.Line l;
        while (!end && (l = r.next()) != null) {
            end = c.line(l);
        }
        assertTrue(end);
        assertArrayEquals("a\r\n.b\r\n.\r\nc\r\n.\r\n".getBytes(StandardCharsets.US_ASCII), c.message());
        assertTrue(c.sawBareLf());
    }

    @Test
    void collectorStopsStoringAtTheLimit() {
        MessageCollector c = new MessageCollector(100);
        LineReader r = new LineReader(1000);
        for (int i = 0; i < 100; i++) {
            r.feed(Buffer.buffer("x".repeat(50) + "\r\n"));
            assertFalse(c.line(r.next()));
        }
        assertTrue(c.tooBig());
        assertTrue(c.bufferedCapacity() <= 100);
        assertEquals(5200, c.receivedSize());
    }

    @Test
    void pathsAndParameters() throws Exception {
        var p = CommandSyntax.parse("FROM:<a@example.test> SIZE=10 body=8BITMIME SMTPUTF8", "FROM:", "5.1.7");
        assertEquals("a@example.test", p.address());
        assertEquals(Map.of("SIZE", "10", "BODY", "8BITMIME", "SMTPUTF8", ""), p.params());
        assertEquals("", CommandSyntax.parse("FROM:<>", "FROM:", "5.1.7").address());
        assertEquals("x@y.test", CommandSyntax.parse("TO:<@a.test,@b.test:x@y.test>", "TO:", "5.1.3").address());
        assertEquals("x@y.test", CommandSyntax.parse("to: <x@y.test>", "TO:", "5.1.3").address());
        assertEquals("\"a b>c\"@y.test", CommandSyntax.parse("TO:<\"a b>c\"@y.test>", "TO:", "5.1.3").address());
        for (String bad : new String[] {"FROM:a@b.test", "FROM:<a@b.test", "FROM:<a@b.test>X", "FROM:<a@>",
                "FROM:<@a.test:>", "FROM:<a@b..test>", "FROM:<a b@c.test>", "FROM:<a@b.test> =x", "FROM:<a@b.test> K="}) {
            assertThrows(CommandSyntax.SyntaxError.class, () -> CommandSyntax.parse(bad, "FROM:", "5.1.7"), bad);
        }
        assertTrue(CommandSyntax.validMailbox("postmaster"));
        assertTrue(CommandSyntax.validMailbox("u@[192.0.2.1]"));
        assertTrue(CommandSyntax.validMailbox("u@[IPv6:2001:db8::1]"));
        assertTrue(CommandSyntax.validMailbox("jörg@bücher.test"));
        assertTrue(CommandSyntax.nonAscii("jörg@x.test"));
    }

    @Test
    void authFailuresSlideWithTheWindow() {
        AuthFailures f = new AuthFailures(2, 1000);
        assertFalse(f.record("1.2.3.4", 0));
        assertFalse(f.record("1.2.3.4", 10));
        assertTrue(f.record("1.2.3.4", 20));
        assertTrue(f.blocked("1.2.3.4", 999));
        assertFalse(f.blocked("1.2.3.4", 1015)); // the first has aged out
        assertFalse(f.blocked("5.6.7.8", 0));
        f.prune(5000);
        assertEquals(0, f.trackedAddresses());
    }
}
