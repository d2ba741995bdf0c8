package io.postwire.event;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A request to deliver one message to one recipient; the first event of every story. It lives on
 * the send topic and carries everything the dispatcher needs, so delivery never has to look the
 * request up elsewhere.
 *
 * <p>The content is either composed by Postwire from {@code subject}/{@code text}/{@code html}, or
 * given whole as {@code raw} (an RFC 5322 message relayed as it is, e.g. from SMTP submission).
 * {@code to} and {@code cc} are the header recipients shown to every reader; {@code recipient} is
 * the one envelope recipient of this send (which may be a Bcc that appears in no header).
 *
 * @param headers extra header fields, names and values free of CR/LF
 * @param expiresAt after this instant the send is given up as {@link Expired}; null means the
 *     dispatcher's configured maximum age after {@code requestedAt}
 */
public record SendRequested(
        String messageId,
        String recipientId,
        String sender,
        String recipient,
        String fromName,
        List<String> to,
        List<String> cc,
        String subject,
        String text,
        String html,
        String raw,
        Map<String, String> headers,
        List<String> tags,
        String idempotencyKey,
        Instant requestedAt,
        Instant expiresAt,
        String rawEncoding) implements PostwireEvent {

    /**
     * {@code rawEncoding} value for a raw message that is not valid UTF-8 (e.g. an 8BITMIME body in
     * ISO-8859-1 submitted over SMTP): {@code raw} then holds its bytes in base64, so the message is
     * relayed byte for byte instead of being re-encoded.
     */
    public static final String BASE64 = "base64";

    /** RFC 5322 §2.1.1 caps a line at 998 octets; header values must stay well inside. */
    private static final int MAX_HEADER_VALUE = 900;

    public SendRequested {
        Require.story(messageId, recipientId, sender, recipient);
        to = List.copyOf(to == null ? List.of() : to);
        cc = List.copyOf(cc == null ? List.of() : cc);
        to.forEach(a -> Addresses.require("to", a));
        cc.forEach(a -> Addresses.require("cc", a));
        headers = Map.copyOf(headers == null ? Map.of() : headers);
        tags = List.copyOf(tags == null ? List.of() : tags);
        Require.present("requestedAt", requestedAt);
        if (rawEncoding != null && !(BASE64.equals(rawEncoding) && raw != null)) {
            throw new IllegalArgumentException("rawEncoding must be absent or \"base64\" with raw");
        }
        if (raw != null) {
            if (raw.isEmpty()) {
                throw new IllegalArgumentException("raw must not be empty");
            }
            if (rawEncoding != null) {
                try {
                    java.util.Base64.getDecoder().decode(raw);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("raw is not valid base64");
                }
            }
        } else if (isBlank(text) && isBlank(html)) {
            throw new IllegalArgumentException("text or html is required when raw is absent");
        }
        noLineBreaks("subject", subject);
        noLineBreaks("fromName", fromName);
        headers.forEach((name, value) -> {
            if (!name.matches("[!-9;-~]{1,76}")) {
                throw new IllegalArgumentException("headers: invalid header name: " + name);
            }
            noLineBreaks("headers." + name, value);
            if (value.length() > MAX_HEADER_VALUE) {
                throw new IllegalArgumentException("headers." + name + " is longer than " + MAX_HEADER_VALUE);
            }
        });
        if (expiresAt != null && expiresAt.isBefore(requestedAt)) {
            throw new IllegalArgumentException("expiresAt is before requestedAt");
        }
    }

    /** A request with no rawEncoding: composed content, or a raw message that is UTF-8 text. */
    public SendRequested(String messageId, String recipientId, String sender, String recipient, String fromName,
            List<String> to, List<String> cc, String subject, String text, String html, String raw,
            Map<String, String> headers, List<String> tags, String idempotencyKey, Instant requestedAt,
            Instant expiresAt) {
        this(messageId, recipientId, sender, recipient, fromName, to, cc, subject, text, html, raw, headers, tags,
                idempotencyKey, requestedAt, expiresAt, null);
    }

    /** A raw message as submitted: UTF-8 text (also plain ASCII) as it is, other bytes in base64. */
    public static RawContent rawContent(byte[] message) {
        try {
            String text = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(message)).toString();
            return new RawContent(text, null);
        } catch (java.nio.charset.CharacterCodingException e) {
            return new RawContent(java.util.Base64.getEncoder().encodeToString(message), BASE64);
        }
    }

    /** The {@code raw}/{@code rawEncoding} pair for a message's bytes. */
    public record RawContent(String raw, String rawEncoding) {
    }

    /** The raw message's exact bytes, or null when the content is composed. */
    public byte[] rawBytes() {
        if (raw == null) {
            return null;
        }
        return BASE64.equals(rawEncoding) ? java.util.Base64.getDecoder().decode(raw)
                : raw.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** Header injection guard: a CR or LF in a header value would let input forge headers. */
    static void noLineBreaks(String field, String value) {
        if (value != null && (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0)) {
            throw new IllegalArgumentException(field + " must not contain CR or LF");
        }
    }
}
