package io.postwire.message;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a message says, before it is turned into RFC 5322 bytes by {@link MessageComposer}.
 *
 * @param from the author, {@code addr@domain} or {@code Display Name <addr@domain>}
 * @param to recipients in the same forms; may be empty when there are Cc recipients
 * @param cc further recipients; null means none
 * @param subject the subject in plain Unicode; non-ASCII is encoded by the composer
 * @param text the text/plain body, or null
 * @param html the text/html body, or null; at least one of text and html is required
 * @param headers extra header fields added verbatim in this order (e.g. List-Unsubscribe);
 *     null means none
 * @param messageId the Message-ID without angle brackets, e.g. {@code 7f3a@mail.example.com}
 * @param date the Date header
 */
public record MessageContent(
        String from,
        List<String> to,
        List<String> cc,
        String subject,
        String text,
        String html,
        Map<String, String> headers,
        String messageId,
        Instant date) {

    public MessageContent {
        Objects.requireNonNull(from, "from");
        to = to == null ? List.of() : List.copyOf(to);
        cc = cc == null ? List.of() : List.copyOf(cc);
        if (to.isEmpty() && cc.isEmpty()) {
            throw new IllegalArgumentException("a message needs at least one To or Cc recipient");
        }
        Objects.requireNonNull(subject, "subject");
        if (text == null && html == null) {
            throw new IllegalArgumentException("a message needs a text or an html body");
        }
        // Map.copyOf would lose the caller's order, and header order is visible on the wire.
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        Objects.requireNonNull(messageId, "messageId");
        if (!messageId.matches("[\\x21-\\x7e&&[^<>@\\s]]+@[\\x21-\\x7e&&[^<>@\\s]]+")) {
            throw new IllegalArgumentException("messageId must look like left@right without <>, was '" + messageId + "'");
        }
        Objects.requireNonNull(date, "date");
    }
}
