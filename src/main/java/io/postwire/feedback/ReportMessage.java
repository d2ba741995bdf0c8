package io.postwire.feedback;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.util.MimeUtil;

/**
 * Finds the parts of a {@code multipart/report} (RFC 6522) with Apache mime4j: the
 * machine-readable report part and the returned original. Only the parts decide what the
 * message is, not the {@code report-type} parameter, which some MTAs get wrong or leave out; a
 * report wrapped once more (a forwarded report inside {@code multipart/mixed}) is found too.
 *
 * @param kind which report this is
 * @param fields the report part's text (header-style field groups)
 * @param original what was returned of the original message
 */
record ReportMessage(Kind kind, String fields, OriginalMessage original) {

    enum Kind { DELIVERY_STATUS, FEEDBACK_REPORT }

    private static final Set<String> STATUS_TYPES = Set.of("message/delivery-status", "message/global-delivery-status");
    private static final String FEEDBACK_TYPE = "message/feedback-report";
    private static final Set<String> ORIGINAL_TYPES = Set.of("message/rfc822", "message/global", "text/rfc822-headers",
            "message/global-headers", "message/rfc822-headers");
    /** A report nested deeper than this is not a report anyone sent us on purpose. */
    private static final int MAX_DEPTH = 3;

    /** Parses raw bytes; mime4j is lenient, so only unreadable input throws. */
    static Message parse(byte[] raw) throws IOException {
        return parse(new ByteArrayInputStream(raw));
    }

    static Optional<ReportMessage> find(Message message) throws IOException {
        return find(message.getBody(), 0);
    }

    private static Optional<ReportMessage> find(Body body, int depth) throws IOException {
        if (!(body instanceof Multipart multipart) || depth > MAX_DEPTH) {
            return Optional.empty();
        }
        Entity report = null;
        Entity original = null;
        for (Entity part : multipart.getBodyParts()) {
            String type = mimeType(part);
            if (report == null && (STATUS_TYPES.contains(type) || FEEDBACK_TYPE.equals(type))) {
                report = part;
            } else if (original == null && ORIGINAL_TYPES.contains(type)) {
                original = part;
            }
        }
        if (report != null) {
            Kind kind = FEEDBACK_TYPE.equals(mimeType(report)) ? Kind.FEEDBACK_REPORT : Kind.DELIVERY_STATUS;
            return Optional.of(new ReportMessage(kind, text(report.getBody()), original(original)));
        }
        for (Entity part : multipart.getBodyParts()) {
            Optional<ReportMessage> inner = find(part.getBody() instanceof Message m ? m.getBody() : part.getBody(),
                    depth + 1);
            if (inner.isPresent()) {
                return inner;
            }
        }
        return Optional.empty();
    }

    private static OriginalMessage original(Entity part) throws IOException {
        if (part == null) {
            return OriginalMessage.NONE;
        }
        Body body = part.getBody();
        // mime4j parses only message/rfc822 into a Message; the header-only and global forms are
        // bytes, which parse as a message whose body is empty or ignored.
        Message message = body instanceof Message m ? m : parse(new ByteArrayInputStream(bytes(body)));
        return new OriginalMessage(header(message, "X-Postwire-Id"), unbracket(header(message, "Message-ID")),
                unbracket(header(message, "Return-Path")), header(message, "To"));
    }

    private static String header(Message message, String name) {
        Field field = message.getHeader() == null ? null : message.getHeader().getField(name);
        if (field == null || field.getBody() == null) {
            return null;
        }
        String value = MimeUtil.unfold(field.getBody()).strip();
        return value.isEmpty() ? null : value;
    }

    private static String unbracket(String value) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        if (v.startsWith("<") && v.endsWith(">")) {
            v = v.substring(1, v.length() - 1).strip();
        }
        return v.isEmpty() ? null : v;
    }

    /** Report fields are US-ASCII, or UTF-8 in the RFC 6533 global form: UTF-8 reads both. */
    private static String text(Body body) throws IOException {
        return new String(bytes(body), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(Body body) throws IOException {
        if (body instanceof SingleBody single) {
            try (InputStream in = single.getInputStream()) { // transfer encoding already decoded
                return in.readAllBytes();
            }
        }
        return new byte[0];
    }

    private static String mimeType(Entity part) {
        String type = part.getMimeType();
        return type == null ? "" : type.toLowerCase(Locale.ROOT);
    }

    private static Message parse(InputStream in) throws IOException {
        DefaultMessageBuilder builder = new DefaultMessageBuilder();
        builder.setMimeEntityConfig(MimeConfig.PERMISSIVE);
        builder.setDecodeMonitor(DecodeMonitor.SILENT);
        return builder.parseMessage(in); // MimeIOException (an IOException) for what it cannot read
    }
}
