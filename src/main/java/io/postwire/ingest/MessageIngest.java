package io.postwire.ingest;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.postwire.api.Problem;
import io.postwire.api.ProblemException;
import io.postwire.bus.AtomicPublisher;
import io.postwire.dispatch.SiteRouter;
import io.postwire.event.SendRequested;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Accepts a message request: validates it, guards its idempotency key, and answers only after
 * Kafka committed the SendRequested of every recipient, all in one transaction.
 */
@ApplicationScoped
public class MessageIngest {

    private static final Logger LOG = Logger.getLogger(MessageIngest.class);
    static final String SOURCE = "postwire/ingest";

    /** The outcome of a submission: the receipt, and whether it replays an earlier request. */
    public record Accepted(SubmissionReceipt receipt, boolean replayed) {
    }

    private final AtomicPublisher publisher;
    private final IdempotencyStore idempotency;
    private final IngestLimits limits;
    private final MessageRequestValidator validator;
    private final Clock clock;
    private final Counter requested;
    // Sorted maps make the request hash independent of the client's JSON field order.
    private final JsonMapper canonical = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private final SiteRouter sites;

    MessageIngest(AtomicPublisher publisher, IdempotencyStore idempotency, IngestLimits limits, MeterRegistry registry,
            SiteRouter sites) {
        this.publisher = publisher;
        this.sites = sites;
        this.idempotency = idempotency;
        this.limits = limits;
        this.validator = new MessageRequestValidator(limits);
        this.clock = Clock.systemUTC();
        this.requested = registry.counter("postwire.sends.requested", "source", "api");
    }

    public Uni<Accepted> submit(MessageRequest request, String apiKeyId) {
        if (request == null) {
            throw new ProblemException(Problem.invalid(List.of(new Problem.FieldError("body", "is required"))));
        }
        List<Problem.FieldError> errors = validator.validate(request);
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.invalid(errors));
        }
        Instant now = clock.instant();
        if (request.idempotencyKey() == null) {
            return publish(UUID.randomUUID().toString(), request, now).map(r -> new Accepted(r, false));
        }
        String scope = apiKeyId + ":" + request.idempotencyKey();
        String messageId = UUID.nameUUIDFromBytes(scope.getBytes(StandardCharsets.UTF_8)).toString();
        return idempotency.claim(scope, hash(request), messageId, now, limits.idempotencyLease())
                .chain(outcome -> switch (outcome) {
                    case CLAIMED -> publish(messageId, request, now)
                            .onFailure().call(() -> idempotency.release(scope))
                            .call(() -> idempotency.accepted(scope))
                            .map(r -> new Accepted(r, false));
                    case ALREADY_ACCEPTED -> Uni.createFrom().item(new Accepted(receipt(messageId, request), true));
                    case IN_PROGRESS -> Uni.createFrom().failure(new ProblemException(Problem.of(409,
                            "idempotency-in-progress", "Request in progress",
                            "a request with this idempotency key is still being accepted; retry shortly")));
                    case DIFFERENT_REQUEST -> Uni.createFrom().failure(new ProblemException(Problem.of(422,
                            "idempotency-key-reused", "Idempotency key reused",
                            "this idempotency key was used for a different request")));
                });
    }

    private Uni<SubmissionReceipt> publish(String messageId, MessageRequest request, Instant now) {
        List<SendRequested> sends = SendRequestFactory.create(messageId, request, now);
        // Keyed by site (the MX rollup) so that one dispatcher owns each site's limits; one
        // transaction: every recipient's request is accepted, or none is.
        return sites.sendRecords(sends, SOURCE, now).chain(publisher::publishAll)
                .onFailure().transform(e -> {
                    LOG.errorf("Kafka did not acknowledge message %s: %s", messageId, e.toString());
                    return new ProblemException(Problem.of(503, "kafka-unavailable", "Service unavailable",
                            "the request could not be stored durably; nothing was accepted, retry later"));
                })
                .map(x -> {
                    requested.increment(sends.size());
                    return receipt(messageId, request);
                });
    }

    private static SubmissionReceipt receipt(String messageId, MessageRequest request) {
        List<String> recipients = SendRequestFactory.envelopeRecipients(request);
        return new SubmissionReceipt(messageId, java.util.stream.IntStream.range(0, recipients.size())
                .mapToObj(i -> new SubmissionReceipt.RecipientReceipt(messageId + "." + (i + 1), recipients.get(i)))
                .toList());
    }

    private String hash(MessageRequest request) {
        try {
            byte[] json = canonical.writeValueAsBytes(request);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json));
        } catch (Exception e) {
            throw new IllegalStateException("cannot hash request", e);
        }
    }
}
