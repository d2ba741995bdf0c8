package io.postwire.message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;
import org.apache.james.mime4j.codec.EncoderUtil;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.message.BodyPart;
import org.apache.james.mime4j.message.BodyPartBuilder;
import org.apache.james.mime4j.message.DefaultMessageWriter;
import org.apache.james.mime4j.message.MultipartBuilder;
import org.apache.james.mime4j.stream.RawField;

/**
 * Builds the RFC 5322 / MIME bytes of a {@link MessageContent}: CRLF line ends, no line over 998
 * octets, UTF-8 throughout. Stateless and thread-safe.
 */
public final class MessageComposer {

    /** RFC 5322 §2.1.1: lines SHOULD stay within 78 characters, which QP guarantees for bodies. */
    private static final int SHORT_LINE = 78;
    /** RFC 5322 §2.1.1: lines MUST NOT exceed 998 characters excluding CRLF. */
    private static final int MAX_LINE = 998;

    /** Headers this class writes itself; an extra header with one of these names would duplicate it. */
    private static final Set<String> OWN_HEADERS = Set.of("from", "to", "cc", "subject", "date", "message-id",
            "mime-version", "content-type", "content-transfer-encoding");

    public byte[] compose(MessageContent content) {
        Message.Builder message = Message.Builder.of();
        message.addField(new RawField("From", AddressHeader.formatOne(content.from())));
        if (!content.to().isEmpty()) {
            message.addField(new RawField("To", AddressHeader.format(content.to())));
        }
        if (!content.cc().isEmpty()) {
            message.addField(new RawField("Cc", AddressHeader.format(content.cc())));
        }
        message.addField(new RawField("Subject", subject(content.subject())));
        message.setDate(Date.from(content.date()), TimeZone.getTimeZone("UTC"));
        message.setMessageId("<" + content.messageId() + ">");
        for (Map.Entry<String, String> header : content.headers().entrySet()) {
            message.addField(extraHeader(header.getKey(), header.getValue()));
        }
        try {
            if (content.text() != null && content.html() != null) {
                // RFC 2046 §5.1.4: alternatives go from plainest to richest, so text comes first.
                message.setBody(MultipartBuilder.create("alternative")
                        .addBodyPart(part(content.text(), "plain"))
                        .addBodyPart(part(content.html(), "html"))
                        .build());
            } else {
                String body = content.text() != null ? content.text() : content.html();
                String crlf = crlf(body);
                message.setBody(crlf, content.text() != null ? "plain" : "html", StandardCharsets.UTF_8);
                message.setContentTransferEncoding(transferEncoding(crlf));
            }
            byte[] bytes = DefaultMessageWriter.asBytes(message.build());
            requireWireSafe(bytes);
            return bytes;
        } catch (IOException e) {
            // Everything is written to memory; an IOException here means a bug, not bad input.
            throw new UncheckedIOException("composing message " + content.messageId() + " failed", e);
        }
    }

    private static BodyPart part(String text, String subtype) throws IOException {
        String crlf = crlf(text);
        return BodyPartBuilder.create()
                .setBody(crlf, subtype, StandardCharsets.UTF_8)
                .setContentTransferEncoding(transferEncoding(crlf))
                .build();
    }

    private static String subject(String subject) {
        rejectLineBreaks("Subject", subject);
        // 9 = length of "Subject: ", so the first encoded-word still fits the first line.
        return EncoderUtil.hasToBeEncoded(subject, 9)
                ? EncoderUtil.encodeEncodedWord(subject, EncoderUtil.Usage.TEXT_TOKEN, 9, StandardCharsets.UTF_8, null)
                : subject;
    }

    /**
     * The caller has validated extra headers; these checks are defence in depth against header
     * injection and against 8-bit bytes that would need SMTPUTF8.
     */
    private static RawField extraHeader(String name, String value) {
        if (name == null || name.isEmpty() || !name.chars().allMatch(c -> c >= 33 && c <= 126 && c != ':')) {
            throw new IllegalArgumentException("invalid header name: '" + name + "'");
        }
        if (OWN_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("header " + name + " is set by the composer, not as an extra header");
        }
        if (value == null) {
            throw new IllegalArgumentException("header " + name + " has no value");
        }
        rejectLineBreaks(name, value);
        if (!value.chars().allMatch(c -> c == '\t' || (c >= 32 && c <= 126))) {
            throw new IllegalArgumentException("header " + name + " must be printable ASCII (RFC 2047-encode it)");
        }
        return new RawField(name, value);
    }

    private static void rejectLineBreaks(String name, String value) {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header " + name + " must not contain CR or LF");
        }
    }

    /** Any line-break convention in, CRLF out, ending with CRLF as an SMTP body does anyway. */
    static String crlf(String text) {
        StringBuilder out = new StringBuilder(text.length() + 64);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r') {
                if (i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                out.append("\r\n");
            } else if (c == '\n') {
                out.append("\r\n");
            } else {
                out.append(c);
            }
        }
        if (out.length() > 0 && !(out.length() >= 2 && out.charAt(out.length() - 1) == '\n')) {
            out.append("\r\n");
        }
        return out.toString();
    }

    /**
     * 7bit when the text already is safe on the wire; quoted-printable when it has non-ASCII,
     * control characters or lines longer than 78 (QP soft-wraps them, RFC 2045 §6.7).
     */
    static String transferEncoding(String crlfText) {
        int lineLength = 0;
        for (int i = 0; i < crlfText.length(); i++) {
            char c = crlfText.charAt(i);
            if (c == '\r' && i + 1 < crlfText.length() && crlfText.charAt(i + 1) == '\n') {
                i++;
                lineLength = 0;
            } else if (c > 126 || (c < 32 && c != '\t') || ++lineLength > SHORT_LINE) {
                return "quoted-printable";
            }
        }
        return "7bit";
    }

    /** Our own output guarantee, checked rather than assumed: CRLF only and no overlong line. */
    private static void requireWireSafe(byte[] message) {
        int lineLength = 0;
        for (int i = 0; i < message.length; i++) {
            if (message[i] == '\n') {
                if (i == 0 || message[i - 1] != '\r') {
                    throw new IllegalStateException("composer produced a bare LF at offset " + i);
                }
                lineLength = 0;
            } else if (message[i] != '\r' && ++lineLength > MAX_LINE) {
                throw new IllegalArgumentException("a header line exceeds " + MAX_LINE
                        + " octets and cannot be folded (no whitespace to fold at)");
            }
        }
    }
}
