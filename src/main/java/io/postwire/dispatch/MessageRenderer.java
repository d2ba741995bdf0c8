package io.postwire.dispatch;

import io.postwire.event.SendRequested;
import io.postwire.message.MessageComposer;
import io.postwire.message.MessageContent;
import java.nio.charset.StandardCharsets;

/**
 * Produces the RFC 5322 bytes of one send: composed from the request's fields, or the given raw
 * message with Postwire's tracking header in front. The tracking header carries the recipient id
 * so that bounces and complaints can be matched to the send.
 */
final class MessageRenderer {

    static final String TRACKING_HEADER = "X-Postwire-Id";

    private final MessageComposer composer = new MessageComposer();

    byte[] render(SendRequested s) {
        if (s.raw() != null) {
            byte[] tracking = (TRACKING_HEADER + ": " + s.recipientId() + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] raw = s.rawBytes();
            byte[] out = new byte[tracking.length + raw.length];
            System.arraycopy(tracking, 0, out, 0, tracking.length);
            System.arraycopy(raw, 0, out, tracking.length, raw.length);
            return out;
        }
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>(s.headers());
        headers.put(TRACKING_HEADER, s.recipientId());
        String from = s.fromName() == null ? s.sender() : s.fromName() + " <" + s.sender() + ">";
        // A producer that names no header recipients gets the envelope recipient shown in To.
        java.util.List<String> to = s.to().isEmpty() && s.cc().isEmpty() ? java.util.List.of(s.recipient()) : s.to();
        MessageContent content = new MessageContent(from, to, s.cc(), s.subject() == null ? "" : s.subject(),
                s.text(), s.html(), headers, s.messageId() + "@" + s.senderDomain(), s.requestedAt());
        return composer.compose(content);
    }
}
