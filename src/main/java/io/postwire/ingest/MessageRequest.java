package io.postwire.ingest;

import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /api/v1/messages}. Everything is optional at the JSON level so the
 * validator can name every missing or bad field at once instead of failing on the first.
 */
public record MessageRequest(
        String from,
        String fromName,
        List<String> to,
        List<String> cc,
        List<String> bcc,
        String subject,
        String text,
        String html,
        Map<String, String> headers,
        List<String> tags,
        String idempotencyKey) {
}
