package io.postwire.dkim;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Adds an RFC 6376 DKIM-Signature (rsa-sha256, relaxed/relaxed) to a complete message for one
 * key. Thread-safe: it holds only immutable state and takes a new {@link Signature} per call.
 */
public final class DkimSigner {

    /** Headers signed when present, in the order they appear in {@code h=}. */
    public static final List<String> DEFAULT_SIGNED_HEADERS = List.of(
            "from", "to", "cc", "subject", "date", "message-id", "reply-to", "mime-version",
            "content-type", "content-transfer-encoding", "list-unsubscribe", "list-unsubscribe-post",
            "in-reply-to", "references", "x-postwire-id");

    /**
     * Listed once more than they occur, so that a From or Subject added later (say, by a list
     * server, or an attacker prepending a second From) breaks the signature (RFC 6376 §8.15).
     */
    private static final Set<String> OVERSIGNED = Set.of("from", "subject");

    private final DkimKey key;
    private final List<String> signedHeaders;
    /** Everything in front of {@code t=}; it is the same for every message. */
    private final String tagPrefix;

    public DkimSigner(DkimKey key) {
        this(key, DEFAULT_SIGNED_HEADERS);
    }

    /**
     * @param signedHeaders names of the headers to sign when present; must include {@code from},
     *     which RFC 6376 §5.4 requires to be signed
     */
    public DkimSigner(DkimKey key, List<String> signedHeaders) {
        this.key = Objects.requireNonNull(key, "key");
        List<String> names = new ArrayList<>();
        for (String name : signedHeaders) {
            String lower = HeaderFields.lowerAscii(name.strip());
            if (lower.isEmpty() || !lower.chars().allMatch(c -> c > ' ' && c < 127 && c != ':')) {
                throw new IllegalArgumentException("not a header field name: '" + name + "'");
            }
            if (!names.contains(lower)) {
                names.add(lower);
            }
        }
        if (!names.contains("from")) {
            throw new IllegalArgumentException("the From header must be signed (RFC 6376 §5.4)");
        }
        this.signedHeaders = List.copyOf(names);
        // Tag order and the "; " and " : " separators follow dkimpy, so that golden vectors made
        // with it match b= byte for byte. i= and q= only state the RFC defaults.
        this.tagPrefix = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=" + key.domain()
                + "; i=@" + key.domain() + "; q=dns/txt; s=" + key.selector() + "; t=";
    }

    /**
     * Signs a complete RFC 5322 message (header, empty line, body). Bare LFs are turned into CRLF
     * first and a final CRLF is added if missing; the returned bytes are that normalized message
     * with the DKIM-Signature header in front.
     *
     * @param now the signing time, written as {@code t=}
     * @throws IllegalArgumentException if the message has no From header or a malformed header
     */
    public byte[] sign(byte[] message, Instant now) {
        byte[] normalized = CrlfMessage.normalize(message);
        HeaderFields headers = HeaderFields.parse(normalized);
        if (headers.count("from") == 0) {
            throw new IllegalArgumentException("message has no From header; DKIM requires one to sign");
        }
        String bodyHash = Base64.getEncoder().encodeToString(
                RelaxedBodyHash.of(normalized, headers.bodyStart()));
        List<String> h = headerList(headers);
        String tags = tagPrefix + now.getEpochSecond() + "; h=" + String.join(" : ", h)
                + "; bh=" + bodyHash + "; b=";
        String signature = Base64.getEncoder().encodeToString(signatureOver(headers, h, tags));
        byte[] header = SignatureHeaderFolder.fold(tags, signature).getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[header.length + normalized.length];
        System.arraycopy(header, 0, out, 0, header.length);
        System.arraycopy(normalized, 0, out, header.length, normalized.length);
        return out;
    }

    /** Each configured name as many times as it occurs, plus one for oversigned names. */
    private List<String> headerList(HeaderFields headers) {
        List<String> h = new ArrayList<>();
        for (String name : signedHeaders) {
            int times = headers.count(name) + (OVERSIGNED.contains(name) ? 1 : 0);
            for (int i = 0; i < times; i++) {
                h.add(name);
            }
        }
        return h;
    }

    private byte[] signatureOver(HeaderFields headers, List<String> h, String tags) {
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key.privateKey());
            // RFC 6376 §5.4.2: repeated names take instances from the bottom up; a name listed
            // more often than it occurs contributes nothing (that is what oversigning relies on).
            Map<String, Integer> nextFromBottom = new HashMap<>();
            List<HeaderFields.Field> fields = headers.fields();
            for (String name : h) {
                int i = nextFromBottom.getOrDefault(name, fields.size()) - 1;
                while (i >= 0 && !fields.get(i).lowerName().equals(name)) {
                    i--;
                }
                nextFromBottom.put(name, Math.max(i, 0));
                if (i >= 0) {
                    rsa.update(fields.get(i).relaxed());
                }
            }
            // The signature header itself, relaxed, with an empty b= and no final CRLF (§3.7).
            // Our tag list has single spaces and no folding, so it already is in relaxed form.
            rsa.update(("dkim-signature:" + tags).getBytes(StandardCharsets.US_ASCII));
            return rsa.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA signing failed for " + key.selector() + "._domainkey."
                    + key.domain(), e);
        }
    }
}
