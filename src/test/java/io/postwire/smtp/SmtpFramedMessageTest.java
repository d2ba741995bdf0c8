package io.postwire.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Dot-stuffing and DATA termination (RFC 5321 §4.5.2) done by {@link FramedMessage#frame}. */
class SmtpFramedMessageTest {

    private static String framed(String message) {
        return FramedMessage.frame(Buffer.buffer(message)).wire().toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void linesStartingWithADotGetASecondDot() {
        assertEquals("..a\r\nb.c\r\n...\r\n..\r\nend\r\n.\r\n", framed(".a\r\nb.c\r\n..\r\n.\r\nend\r\n"));
    }

    @Test
    void aMissingFinalLineBreakIsAddedBeforeTheTerminator() {
        assertEquals("x\r\n.\r\n", framed("x"));
        assertEquals("x\r\n.\r\n", framed("x\r\n"));
        assertEquals(".\r\n", framed(""));
    }

    @Test
    void aDotAfterABareLineFeedIsStuffedSoTheDataCannotEndEarly() {
        // "\n.\r\n" is the SMTP smuggling sequence; it must not reach the server unstuffed.
        assertEquals("a\n..\r\nMAIL FROM:<x>\r\n.\r\n", framed("a\n.\r\nMAIL FROM:<x>\r\n"));
    }

    @Test
    void sizeAndEightBitAreReportedFromTheOriginalBytes() {
        FramedMessage ascii = FramedMessage.frame(Buffer.buffer(".x\r\n"));
        FramedMessage utf8 = FramedMessage.frame(Buffer.buffer("\u00e9\r\n".getBytes(StandardCharsets.UTF_8)));

        assertEquals(4, ascii.originalSize());
        assertFalse(ascii.eightBit());
        assertTrue(utf8.eightBit());
    }
}
