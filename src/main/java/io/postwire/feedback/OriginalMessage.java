package io.postwire.feedback;

/**
 * What a report returned of the message it is about (the third part: {@code message/rfc822},
 * {@code text/rfc822-headers} or their RFC 6532 {@code message/global*} forms). Every field is
 * null when the report did not return it; providers that redact (Microsoft JMRP) often blank the
 * recipient but keep Postwire's own headers.
 *
 * @param postwireId the {@code X-Postwire-Id} header: the recipientId Postwire wrote
 * @param messageId the {@code Message-ID} without angle brackets
 * @param returnPath the {@code Return-Path} address, which holds the VERP token after delivery
 * @param to the {@code To} header as written (maybe {@code <redacted>})
 */
public record OriginalMessage(String postwireId, String messageId, String returnPath, String to) {

    public static final OriginalMessage NONE = new OriginalMessage(null, null, null, null);
}
