package io.postwire.dkim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden vectors: each NN-name.eml is signed and compared with the DKIM-Signature that dkimpy
 * produced for it with the same key and t= (NN-name.expected, made by make-golden.py). RSA
 * PKCS#1 v1.5 is deterministic, so b= must match too, not only bh=.
 */
class DkimSignerTest {

    /** Must match TIMESTAMP in make-golden.py. */
    private static final Instant GOLDEN_TIME = Instant.ofEpochSecond(1700000000L);

    private final DkimSigner signer = new DkimSigner(TestKeys.key());

    @ParameterizedTest
    @ValueSource(strings = {
        "01-simple", "02-folded-headers", "03-trailing-whitespace", "04-empty-body",
        "05-trailing-empty-lines", "06-repeated-headers", "07-non-ascii-qp", "08-only-empty-lines"})
    void matchesDkimpy(String name) {
        byte[] message = TestKeys.bytes(name + ".eml");
        byte[] signed = signer.sign(message, GOLDEN_TIME);

        Map<String, String> ours = tags(firstHeader(signed));
        Map<String, String> dkimpy = tags(new String(TestKeys.bytes(name + ".expected"), StandardCharsets.US_ASCII));
        assertEquals(dkimpy.get("h"), ours.get("h"), "h=");
        assertEquals(dkimpy.get("bh"), ours.get("bh"), "bh=");
        assertEquals(dkimpy.get("b"), ours.get("b"), "b=");
        assertEquals(dkimpy, ours);
        // The message itself follows the new header unchanged.
        byte[] rest = new byte[signed.length - firstHeader(signed).length()];
        System.arraycopy(signed, firstHeader(signed).length(), rest, 0, rest.length);
        assertArrayEquals(message, rest);
    }

    @Test
    void emptyAndBlankBodiesHashAsTheEmptyString() {
        // SHA-256 of zero bytes: relaxed turns a body of only empty lines into nothing (§3.4.4).
        String emptySha256 = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        for (String body : List.of("", "\r\n", "\r\n\r\n", " \r\n\t\r\n")) {
            byte[] msg = ("From: a@example.com\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
            assertEquals(emptySha256, tags(firstHeader(signer.sign(msg, GOLDEN_TIME))).get("bh"), body);
        }
    }

    @Test
    void bareLineFeedsAreSignedAsCrlf() {
        byte[] crlf = TestKeys.bytes("01-simple.eml");
        byte[] lf = new String(crlf, StandardCharsets.US_ASCII).replace("\r\n", "\n").getBytes(StandardCharsets.US_ASCII);

        assertArrayEquals(signer.sign(crlf, GOLDEN_TIME), signer.sign(lf, GOLDEN_TIME));
    }

    @Test
    void missingFinalCrlfIsAddedBeforeHashing() {
        byte[] withCrlf = "From: a@example.com\r\n\r\nbody  \r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] without = "From: a@example.com\r\n\r\nbody  ".getBytes(StandardCharsets.US_ASCII);

        assertArrayEquals(signer.sign(withCrlf, GOLDEN_TIME), signer.sign(without, GOLDEN_TIME));
    }

    @Test
    void signatureHeaderIsFoldedWithCrlfTabWithin78Columns() {
        String header = firstHeader(signer.sign(TestKeys.bytes("06-repeated-headers.eml"), GOLDEN_TIME));

        assertTrue(header.startsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;"), header);
        assertTrue(header.endsWith("\r\n"));
        String[] lines = header.substring(0, header.length() - 2).split("\r\n", -1);
        assertTrue(lines.length > 3);
        for (int i = 0; i < lines.length; i++) {
            assertTrue(lines[i].length() <= 78, "line too long: " + lines[i]);
            assertTrue(i == 0 || lines[i].startsWith("\t"), "continuation without TAB: " + lines[i]);
        }
        assertTrue(tags(header).get("t").equals("1700000000"));
    }

    @Test
    void fromAndSubjectAreOversignedAndAbsentHeadersAreLeftOut() {
        byte[] msg = "From: a@example.com\r\nTo: b@example.org\r\nX-Other: 1\r\n\r\nhi\r\n"
                .getBytes(StandardCharsets.US_ASCII);

        assertEquals("from:from:to:subject", tags(firstHeader(signer.sign(msg, GOLDEN_TIME))).get("h"));
    }

    @Test
    void configuredHeaderListIsUsedAndMustContainFrom() {
        DkimSigner custom = new DkimSigner(TestKeys.key(), List.of("From", "X-Other", "Subject"));
        byte[] msg = "From: a@example.com\r\nX-Other: 1\r\nX-Other: 2\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII);

        assertEquals("from:from:x-other:x-other:subject", tags(firstHeader(custom.sign(msg, GOLDEN_TIME))).get("h"));
        assertThrows(IllegalArgumentException.class, () -> new DkimSigner(TestKeys.key(), List.of("to", "subject")));
        assertThrows(IllegalArgumentException.class, () -> new DkimSigner(TestKeys.key(), List.of("from", "bad name")));
    }

    @Test
    void messagesWithoutFromOrWithBrokenHeadersAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> signer.sign("To: b@example.org\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII), GOLDEN_TIME));
        assertThrows(IllegalArgumentException.class,
                () -> signer.sign("From: a@example.com\r\nno colon here\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII),
                        GOLDEN_TIME));
    }

    @Test
    void longBodiesSpanningTheHashBufferHashLikeDkimpyRules() {
        // Builds a body larger than the 8 KiB buffer with whitespace runs straddling its edge and
        // compares with a straightforward (slow) implementation of the same rules.
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            body.append("w").append(i).append(i % 3 == 0 ? " \t  " : " ").append(i % 7 == 0 ? "\r\n" : "");
            if (i % 101 == 0) {
                body.append("\r\n\r\n  \r\n");
            }
        }
        body.append("\r\n\r\n\r\n");
        byte[] msg = ("From: a@example.com\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);

        byte[] expected = sha256(slowRelaxedBody(body.toString()));
        assertArrayEquals(expected, RelaxedBodyHash.of(msg, "From: a@example.com\r\n\r\n".length()));
    }

    @Test
    void signsConcurrentlyWithOneSigner() throws Exception {
        byte[] msg = TestKeys.bytes("07-non-ascii-qp.eml");
        byte[] expected = signer.sign(msg, GOLDEN_TIME);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                results.add(pool.submit(() -> signer.sign(msg, GOLDEN_TIME)));
            }
            for (Future<byte[]> result : results) {
                assertArrayEquals(expected, result.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The first header field of a message, with its folding and final CRLF. */
    static String firstHeader(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        int end = 0;
        while (true) {
            end = text.indexOf("\r\n", end) + 2;
            if (end >= text.length() || (text.charAt(end) != ' ' && text.charAt(end) != '\t')) {
                return text.substring(0, end);
            }
        }
    }

    /** Tag name to value, with all whitespace removed (FWS is insignificant in these tags). */
    static Map<String, String> tags(String header) {
        String value = header.substring(header.indexOf(':') + 1);
        Map<String, String> tags = new LinkedHashMap<>();
        for (String tag : value.split(";")) {
            String compact = tag.replaceAll("\\s+", "");
            if (!compact.isEmpty()) {
                int eq = compact.indexOf('=');
                tags.put(compact.substring(0, eq), compact.substring(eq + 1));
            }
        }
        return tags;
    }

    private static String slowRelaxedBody(String body) {
        String s = body.replaceAll("[ \t]+\r\n", "\r\n").replaceAll("[ \t]+", " ");
        while (s.endsWith("\r\n\r\n")) {
            s = s.substring(0, s.length() - 2);
        }
        return s.equals("\r\n") ? "" : s;
    }

    private static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
