package io.postwire.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VerpTokenTest {

    private static final byte[] SECRET = "0123456789abcdef-test-secret".getBytes(StandardCharsets.US_ASCII);
    private static final String INGEST_ID = "6e1a3c5f-7b9d-4f2a-8c64-9d3b5f7a1c42.1";

    private final VerpToken verp = new VerpToken(SECRET);

    @ParameterizedTest
    @ValueSource(strings = {INGEST_ID, "6e1a3c5f-7b9d-4f2a-8c64-9d3b5f7a1c42.99999",
        "6e1a3c5f-7b9d-4f2a-8c64-9d3b5f7a1c42.999999999999999999", "order-42/line-7",
        "x", "ünïcode-id-ß", "12345678901234567890123456789"})
    void roundTripsWithinTheLocalPartLimit(String id) {
        String local = verp.encode(id).orElseThrow();
        assertTrue(local.startsWith("b+"), local);
        assertTrue(local.length() <= 64, local.length() + " octets: " + local);
        assertTrue(local.matches("b\\+[a-z2-7]+"), local);
        assertEquals(Optional.of(id), verp.decode(local));
    }

    @Test
    void ingestIdsArePackedCompactly() {
        // 1 format byte + 16 uuid bytes + 1 varint byte + 8 MAC bytes = 26 bytes = 42 base32 chars.
        assertEquals(2 + 42, verp.encode(INGEST_ID).orElseThrow().length());
    }

    @Test
    void idsThatCannotFitAreRefused() {
        assertEquals(Optional.empty(), verp.encode("123456789012345678901234567890")); // 30 UTF-8 bytes
        assertEquals(Optional.empty(), verp.encode("ü".repeat(15)));
        // Not the canonical ingest shape, so they would not round-trip packed and are too long as text.
        assertEquals(Optional.empty(), verp.encode("6E1A3C5F-7B9D-4F2A-8C64-9D3B5F7A1C42.1"));
        assertEquals(Optional.empty(), verp.encode("6e1a3c5f-7b9d-4f2a-8c64-9d3b5f7a1c42.01"));
        assertEquals(Optional.empty(), verp.encode("6e1a3c5f-7b9d-4f2a-8c64-9d3b5f7a1c42.0"));
    }

    @Test
    void mtasThatChangeTheCaseDoNotBreakIt() {
        String local = verp.encode(INGEST_ID).orElseThrow();
        assertEquals(Optional.of(INGEST_ID), verp.decode(local.toUpperCase(Locale.ROOT)));
        assertEquals(Optional.of(INGEST_ID), verp.decode(local + "@Bounce.Example.Test"));
    }

    @Test
    void everyTamperedCharacterIsRefused() {
        String local = verp.encode(INGEST_ID).orElseThrow();
        for (int i = 2; i < local.length(); i++) {
            char c = local.charAt(i);
            String tampered = local.substring(0, i) + (c == 'a' ? 'b' : 'a') + local.substring(i + 1);
            assertEquals(Optional.empty(), verp.decode(tampered), "position " + i);
        }
    }

    @Test
    void tokensOfAnotherSecretAreRefused() {
        VerpToken other = new VerpToken("another-secret-of-16+bytes".getBytes(StandardCharsets.US_ASCII));
        String foreign = other.encode(INGEST_ID).orElseThrow();
        assertNotEquals(verp.encode(INGEST_ID), other.encode(INGEST_ID));
        assertEquals(Optional.empty(), verp.decode(foreign));
    }

    @Test
    void retiredSecretsStillVerifyButNoLongerSign() {
        byte[] next = "the-next-secret-0123456789".getBytes(StandardCharsets.US_ASCII);
        VerpToken rotated = new VerpToken(next, List.of(SECRET));
        String old = verp.encode(INGEST_ID).orElseThrow();
        assertEquals(Optional.of(INGEST_ID), rotated.decode(old));
        assertEquals(Optional.empty(), verp.decode(rotated.encode(INGEST_ID).orElseThrow()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "b+", "fbl", "b", "bounce+abc", "b+abc", "b+!!!!", "b+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "b+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void garbageIsRefused(String local) {
        assertEquals(Optional.empty(), verp.decode(local));
    }

    @Test
    void shortSecretsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new VerpToken(new byte[15]));
        assertEquals("VerpToken[1 key(s)]", verp.toString());
    }

    @Test
    void base32MatchesRfc4648Vectors() {
        // RFC 4648 §10 test vectors, lower-cased and unpadded.
        String[][] vectors = {{"", ""}, {"f", "my"}, {"fo", "mzxq"}, {"foo", "mzxw6"}, {"foob", "mzxw6yq"},
            {"fooba", "mzxw6ytb"}, {"foobar", "mzxw6ytboi"}};
        for (String[] v : vectors) {
            assertEquals(v[1], Base32.encode(v[0].getBytes(StandardCharsets.US_ASCII)));
            assertEquals(v[0], new String(Base32.decode(v[1].toUpperCase(Locale.ROOT)).orElseThrow(),
                    StandardCharsets.US_ASCII));
        }
        assertEquals(Optional.empty(), Base32.decode("mz")); // "f" is "my": non-zero padding bits
    }
}
