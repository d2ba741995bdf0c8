package io.postwire.ingest;

import io.postwire.api.Problem.FieldError;
import io.postwire.event.Addresses;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks a {@link MessageRequest} and names every bad field. Pure: no I/O, so it is tested with
 * plain JUnit.
 */
public final class MessageRequestValidator {

    /** Headers Postwire writes itself; letting a caller set them would forge the envelope. */
    private static final Set<String> RESERVED_HEADERS = Set.of(
            "from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version", "content-type",
            "content-transfer-encoding", "dkim-signature", "return-path", "received", "x-postwire-id");

    private static final int MAX_KEY_LENGTH = 200;
    private static final int MAX_TAGS = 20;

    private final IngestLimits limits;

    public MessageRequestValidator(IngestLimits limits) {
        this.limits = limits;
    }

    public List<FieldError> validate(MessageRequest r) {
        List<FieldError> errors = new ArrayList<>();
        if (r.from() == null) {
            errors.add(new FieldError("from", "is required"));
        } else if (!Addresses.isValid(r.from())) {
            errors.add(new FieldError("from", "is not a valid address"));
        }
        singleLine(errors, "fromName", r.fromName(), 200);
        List<String> to = nonNull(r.to());
        if (to.isEmpty()) {
            errors.add(new FieldError("to", "at least one recipient is required"));
        }
        addresses(errors, "to", to);
        addresses(errors, "cc", nonNull(r.cc()));
        addresses(errors, "bcc", nonNull(r.bcc()));
        int recipients = to.size() + nonNull(r.cc()).size() + nonNull(r.bcc()).size();
        if (recipients > limits.maxRecipients()) {
            errors.add(new FieldError("to", recipients + " recipients exceed the limit of " + limits.maxRecipients()));
        }
        singleLine(errors, "subject", r.subject(), 998);
        if (isBlank(r.text()) && isBlank(r.html())) {
            errors.add(new FieldError("text", "text or html is required"));
        }
        headers(errors, r.headers());
        List<String> tags = nonNull(r.tags());
        if (tags.size() > MAX_TAGS) {
            errors.add(new FieldError("tags", "at most " + MAX_TAGS + " tags"));
        }
        for (int i = 0; i < tags.size(); i++) {
            String t = tags.get(i);
            if (t == null || !t.matches("[A-Za-z0-9_.:-]{1,64}")) {
                errors.add(new FieldError("tags[" + i + "]", "must be 1-64 of A-Z a-z 0-9 _ . : -"));
            }
        }
        if (r.idempotencyKey() != null
                && (r.idempotencyKey().isBlank() || r.idempotencyKey().length() > MAX_KEY_LENGTH)) {
            errors.add(new FieldError("idempotencyKey", "must be 1-" + MAX_KEY_LENGTH + " characters"));
        }
        long size = bytes(r.subject()) + bytes(r.text()) + bytes(r.html());
        for (Map.Entry<String, String> h : nonNull(r.headers()).entrySet()) {
            size += bytes(h.getKey()) + bytes(h.getValue());
        }
        if (size > limits.maxMessageBytes()) {
            errors.add(new FieldError("text", "message content is " + size + " bytes, over the limit of "
                    + limits.maxMessageBytes()));
        }
        return errors;
    }

    private void headers(List<FieldError> errors, Map<String, String> headers) {
        if (headers == null) {
            return;
        }
        if (headers.size() > limits.maxHeaders()) {
            errors.add(new FieldError("headers", "at most " + limits.maxHeaders() + " headers"));
        }
        headers.forEach((name, value) -> {
            String field = "headers." + name;
            if (name == null || !name.matches("[!-9;-~]{1,76}")) {
                errors.add(new FieldError(field, "is not a valid header name"));
            } else if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                errors.add(new FieldError(field, "is set by Postwire and cannot be overridden"));
            }
            if (value == null) {
                errors.add(new FieldError(field, "must have a value"));
            } else {
                singleLine(errors, field, value, 900);
            }
        });
    }

    private static void addresses(List<FieldError> errors, String field, List<String> addresses) {
        for (int i = 0; i < addresses.size(); i++) {
            if (!Addresses.isValid(addresses.get(i))) {
                errors.add(new FieldError(field + "[" + i + "]", "is not a valid address"));
            }
        }
    }

    /** CR or LF in a header-bound value is header injection; reject it, never strip it. */
    private static void singleLine(List<FieldError> errors, String field, String value, int max) {
        if (value == null) {
            return;
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            errors.add(new FieldError(field, "must not contain CR or LF"));
        } else if (value.length() > max) {
            errors.add(new FieldError(field, "is longer than " + max + " characters"));
        }
    }

    private static long bytes(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static <K, V> Map<K, V> nonNull(Map<K, V> map) {
        return map == null ? Map.of() : map;
    }
}
