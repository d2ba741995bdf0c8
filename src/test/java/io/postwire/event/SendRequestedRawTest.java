package io.postwire.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A submitted message must come out of the event byte for byte, whatever its charset. */
class SendRequestedRawTest {

    private final EventCodec codec = new EventCodec();

    @Test
    void utf8MessagesStayReadableText() {
        byte[] message = "Subject: caf\u00e9\r\n\r\nbody \u2713\r\n".getBytes(StandardCharsets.UTF_8);
        SendRequested.RawContent raw = SendRequested.rawContent(message);
        assertNull(raw.rawEncoding());
        assertArrayEquals(message, roundTrip(raw).rawBytes());
    }

    @Test
    void eightBitLegacyCharsetsAreCarriedInBase64AndRestoredExactly() {
        // "café" in ISO-8859-1: 0xE9 alone is not valid UTF-8, and decoding it would corrupt the body.
        byte[] message = "Subject: x\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\ncaf\u00e9\r\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        SendRequested.RawContent raw = SendRequested.rawContent(message);
        assertEquals(SendRequested.BASE64, raw.rawEncoding());
        assertArrayEquals(message, roundTrip(raw).rawBytes());
    }

    @Test
    void rawEncodingMustComeWithValidBase64Raw() {
        assertThrows(IllegalArgumentException.class, () -> send("not base64 !", SendRequested.BASE64));
        assertThrows(IllegalArgumentException.class, () -> send(null, SendRequested.BASE64));
        assertThrows(IllegalArgumentException.class, () -> send("eA==", "gzip"));
    }

    private SendRequested roundTrip(SendRequested.RawContent raw) {
        SendRequested s = send(raw.raw(), raw.rawEncoding());
        EventEnvelope back = codec.read(codec.write(EventEnvelope.of("test", Instant.EPOCH, s)));
        assertEquals(s, back.data());
        return (SendRequested) back.data();
    }

    private static SendRequested send(String raw, String encoding) {
        return new SendRequested("m1", "m1.1", "a@example.test", "b@dest.test", null, List.of(), List.of(), null,
                raw == null ? "text" : null, null, raw, Map.of(), List.of(), null, Instant.EPOCH, null, encoding);
    }
}
