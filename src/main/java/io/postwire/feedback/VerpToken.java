package io.postwire.feedback;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encodes a recipientId into the local part of a VERP return path ({@code b+<token>}) and back,
 * so that a bounce sent to that address names the send it is about, and nobody can make up an
 * address that names some other send.
 *
 * <p>Token bytes: a format byte, the id, and an HMAC-SHA256 over both truncated to 64 bits
 * (an online guess per forged bounce makes 2^64 plenty). Format 0 packs the ingest shape
 * {@code <uuid>.<n>} as 16 bytes plus an unsigned LEB128 varint; format 1 is any other id as
 * UTF-8. The bytes are written in lower-case base32 without padding. RFC 5321 §4.5.3.1.1 limits
 * a local part to 64 octets, which leaves 38 token bytes: an id that does not fit is refused and
 * the caller keeps the plain sender as return path.
 *
 * <p>Immutable and thread-safe. Verification also accepts tokens made with retired secrets, so
 * the secret can be rotated while bounces of older mail are still arriving.
 */
public final class VerpToken {

    public static final String PREFIX = "b+";
    /** RFC 5321 §4.5.3.1.1. */
    public static final int MAX_LOCAL_PART = 64;
    static final int MAC_BYTES = 8;
    /** Short secrets make the MAC guessable offline from one observed token. */
    static final int MIN_SECRET_BYTES = 16;

    private static final byte FORMAT_UUID = 0;
    private static final byte FORMAT_UTF8 = 1;
    private static final int MAX_TOKEN_BYTES = (MAX_LOCAL_PART - PREFIX.length()) * 5 / 8;
    // Canonical lower-case UUID, then a 1-based index without leading zeros: only ids that round-trip.
    private static final Pattern INGEST_ID = Pattern.compile(
            "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\.([1-9][0-9]{0,17})");
    /** Domain separation: the same secret used for anything else yields unrelated MACs. */
    private static final byte[] CONTEXT = "postwire-verp-v1\0".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec current;
    private final List<SecretKeySpec> all;

    public VerpToken(byte[] secret) {
        this(secret, List.of());
    }

    /** @param retired secrets that no longer sign but still verify, newest first */
    public VerpToken(byte[] secret, List<byte[]> retired) {
        this.current = key(secret);
        List<SecretKeySpec> keys = new ArrayList<>();
        keys.add(current);
        retired.forEach(r -> keys.add(key(r)));
        this.all = List.copyOf(keys);
    }

    /** The local part {@code b+<token>}, or empty when the id is too long to fit in 64 octets. */
    public Optional<String> encode(String recipientId) {
        if (recipientId == null || recipientId.isEmpty()) {
            throw new IllegalArgumentException("recipientId is required");
        }
        byte[] payload = payload(recipientId);
        if (payload.length + MAC_BYTES > MAX_TOKEN_BYTES) {
            return Optional.empty();
        }
        byte[] token = Arrays.copyOf(payload, payload.length + MAC_BYTES);
        System.arraycopy(mac(current, payload), 0, token, payload.length, MAC_BYTES);
        return Optional.of(PREFIX + Base32.encode(token));
    }

    /**
     * The recipientId in a local part made by {@link #encode}, in any letter case; empty for
     * anything else, including a token whose MAC does not verify. A full address is accepted
     * too (the domain is ignored: the listener decides which domains are ours).
     */
    public Optional<String> decode(String localPart) {
        if (localPart == null) {
            return Optional.empty();
        }
        int at = localPart.lastIndexOf('@');
        String local = at < 0 ? localPart : localPart.substring(0, at);
        if (local.length() > MAX_LOCAL_PART || !local.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return Optional.empty();
        }
        Optional<byte[]> bytes = Base32.decode(local.substring(PREFIX.length()));
        if (bytes.isEmpty() || bytes.get().length <= MAC_BYTES) {
            return Optional.empty();
        }
        byte[] token = bytes.get();
        byte[] payload = Arrays.copyOf(token, token.length - MAC_BYTES);
        byte[] tag = Arrays.copyOfRange(token, payload.length, token.length);
        boolean valid = false;
        for (SecretKeySpec key : all) {
            // Constant time, and every key is tried so timing does not tell which one matched.
            valid |= MessageDigest.isEqual(tag, Arrays.copyOf(mac(key, payload), MAC_BYTES));
        }
        return valid ? parse(payload) : Optional.empty();
    }

    private static byte[] payload(String recipientId) {
        Matcher m = INGEST_ID.matcher(recipientId);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (m.matches()) {
            UUID uuid = UUID.fromString(m.group(1));
            out.write(FORMAT_UUID);
            out.writeBytes(ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                    .putLong(uuid.getLeastSignificantBits()).array());
            writeVarint(out, Long.parseLong(m.group(2)));
        } else {
            out.write(FORMAT_UTF8);
            out.writeBytes(recipientId.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** Only MAC-verified bytes get here, so a malformed payload means a bug, yet it stays empty. */
    private static Optional<String> parse(byte[] payload) {
        if (payload[0] == FORMAT_UUID && payload.length > 17) {
            ByteBuffer b = ByteBuffer.wrap(payload, 1, 16);
            UUID uuid = new UUID(b.getLong(), b.getLong());
            return readVarint(payload, 17).map(n -> uuid + "." + n);
        }
        if (payload[0] == FORMAT_UTF8 && payload.length > 1) {
            try {
                return Optional.of(StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(payload, 1, payload.length - 1)).toString());
            } catch (CharacterCodingException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        long v = value;
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static Optional<Long> readVarint(byte[] bytes, int from) {
        long value = 0;
        for (int i = from, shift = 0; i < bytes.length && shift < 63; i++, shift += 7) {
            value |= (long) (bytes[i] & 0x7f) << shift;
            if ((bytes[i] & 0x80) == 0) {
                return i == bytes.length - 1 && value > 0 ? Optional.of(value) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static byte[] mac(SecretKeySpec key, byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(CONTEXT);
            return mac.doFinal(payload);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JRE", e);
        }
    }

    private static SecretKeySpec key(byte[] secret) {
        if (secret == null || secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("VERP secret must have at least " + MIN_SECRET_BYTES + " bytes");
        }
        return new SecretKeySpec(secret.clone(), "HmacSHA256");
    }

    @Override
    public String toString() {
        return "VerpToken[" + all.size() + " key(s)]"; // never the secret
    }
}
