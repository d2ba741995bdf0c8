package io.postwire.ingest;

import io.postwire.event.SendRequested;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns one validated API request into one SendRequested per distinct envelope recipient. Ids
 * are derived from the message id and the recipient's position, so a retried idempotent request
 * produces exactly the same events.
 */
public final class SendRequestFactory {

    private SendRequestFactory() {
    }

    public static List<SendRequested> create(String messageId, MessageRequest r, Instant now) {
        List<SendRequested> sends = new ArrayList<>();
        int n = 0;
        for (String recipient : envelopeRecipients(r)) {
            n++;
            sends.add(new SendRequested(messageId, messageId + "." + n, r.from(), recipient, r.fromName(),
                    r.to(), r.cc(), r.subject(), r.text(), r.html(), null, r.headers(), r.tags(),
                    r.idempotencyKey(), now, null));
        }
        return sends;
    }

    /** To, Cc and Bcc in that order, each address once (addresses compare case-insensitively). */
    static List<String> envelopeRecipients(MessageRequest r) {
        Map<String, String> unique = new LinkedHashMap<>();
        for (List<String> list : List.of(nonNull(r.to()), nonNull(r.cc()), nonNull(r.bcc()))) {
            for (String a : list) {
                unique.putIfAbsent(a.toLowerCase(Locale.ROOT), a);
            }
        }
        return List.copyOf(unique.values());
    }

    private static List<String> nonNull(List<String> l) {
        return l == null ? List.of() : l;
    }
}
