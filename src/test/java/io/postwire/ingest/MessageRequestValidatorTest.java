package io.postwire.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.api.Problem.FieldError;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageRequestValidatorTest {

    private static final IngestLimits LIMITS = new IngestLimits() {
        public int maxRecipients() {
            return 3;
        }

        public int maxMessageBytes() {
            return 1000;
        }

        public int maxHeaders() {
            return 2;
        }

        public Duration idempotencyLease() {
            return Duration.ofSeconds(60);
        }
    };
    private final MessageRequestValidator validator = new MessageRequestValidator(LIMITS);

    private static MessageRequest request(String from, List<String> to, String subject, String text,
            Map<String, String> headers) {
        return new MessageRequest(from, null, to, null, null, subject, text, null, headers, null, null);
    }

    private List<String> fields(MessageRequest r) {
        return validator.validate(r).stream().map(FieldError::field).toList();
    }

    @Test
    void validRequestHasNoErrors() {
        assertEquals(List.of(), validator.validate(request("a@example.test", List.of("b@dest.test"), "Hi", "x", null)));
    }

    @Test
    void namesEveryBadField() {
        List<FieldError> errors = validator.validate(new MessageRequest("nope", null, List.of("ok@dest.test", "bad@"),
                List.of("also bad"), null, "s", null, null, null, List.of("ok", "no spaces"), ""));
        assertEquals(List.of("from", "to[1]", "cc[0]", "text", "tags[1]", "idempotencyKey"),
                errors.stream().map(FieldError::field).toList());
    }

    @Test
    void headerInjectionIsRefused() {
        assertEquals(List.of("subject"), fields(request("a@example.test", List.of("b@dest.test"),
                "Hi\r\nBcc: victim@dest.test", "x", null)));
        assertEquals(List.of("headers.X-A"), fields(request("a@example.test", List.of("b@dest.test"), "Hi", "x",
                Map.of("X-A", "v\nInjected: yes"))));
        assertEquals(List.of("headers.DKIM-Signature"), fields(request("a@example.test", List.of("b@dest.test"), "Hi",
                "x", Map.of("DKIM-Signature", "forged"))));
    }

    @Test
    void limitsAreEnforced() {
        assertEquals(List.of("to"), fields(request("a@example.test",
                List.of("1@d.test", "2@d.test", "3@d.test", "4@d.test"), "s", "x", null)));
        List<FieldError> big = validator.validate(request("a@example.test", List.of("b@dest.test"), "s", "x".repeat(2000), null));
        assertEquals("text", big.get(0).field());
        assertTrue(big.get(0).message().contains("over the limit of 1000"), big.get(0).message());
        assertEquals(List.of("to"), fields(request("a@example.test", null, "s", "x", null)));
    }
}
