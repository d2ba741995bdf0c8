package io.postwire.dispatch;

import io.postwire.bounce.BounceClassifier;
import io.postwire.bus.EventPublisher;
import io.postwire.bus.SendKeys;
import io.postwire.bus.Topics;
import io.postwire.dkim.DkimSigners;
import io.postwire.event.Bounced;
import io.postwire.feedback.BounceAddresses;
import io.postwire.event.Deferred;
import io.postwire.event.Delivered;
import io.postwire.event.EventEnvelope;
import io.postwire.event.Expired;
import io.postwire.event.PostwireEvent;
import io.postwire.event.Rejected;
import io.postwire.event.RetryScheduled;
import io.postwire.event.SendRequested;
import io.postwire.event.SmtpReply;
import io.postwire.smtp.SmtpEnvelope;
import io.postwire.smtp.SmtpResult;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One delivery attempt of one send, from suppression check to the recorded outcome:
 * Delivered, Bounced, Rejected, Expired, or Deferred plus the RetryScheduled that brings it back.
 * The returned Uni completes only when those events are acknowledged by Kafka.
 */
@ApplicationScoped
public class DeliveryAttempt {

    static final String SOURCE = "postwire/dispatch";

    private final EventPublisher publisher;
    private final SuppressionCheck suppression;
    private final DkimSigners signers;
    private final RelayRoute route;
    private final DispatchConfig config;
    private final RetryPolicy retry;
    private final DeliveryMetrics metrics;
    private final BounceAddresses bounces;
    private final MessageRenderer renderer = new MessageRenderer();
    private final Clock clock = Clock.systemUTC();
    /** Rendering and RSA signing are CPU work: keep them off the event loop, on every core. */
    private final ExecutorService cpu = Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
                Thread t = new Thread(r, "postwire-sign");
                t.setDaemon(true);
                return t;
            });

    DeliveryAttempt(EventPublisher publisher, SuppressionCheck suppression, DkimSigners signers, RelayRoute route,
            DispatchConfig config, DeliveryMetrics metrics, BounceAddresses bounces) {
        this.publisher = publisher;
        this.suppression = suppression;
        this.signers = signers;
        this.route = route;
        this.config = config;
        this.retry = config.retryPolicy();
        this.metrics = metrics;
        this.bounces = bounces;
    }

    /** Touches the relay and signing configuration so that a mistake stops the start. */
    void checkConfiguration() {
        route.target();
        signers.forSenderDomain("check.invalid");
    }

    public Uni<Void> run(SendRequested s, int attempt) {
        Instant now = clock.instant();
        Instant expiresAt = s.expiresAt() != null ? s.expiresAt() : s.requestedAt().plus(config.maxAge());
        if (!now.isBefore(expiresAt)) {
            return record(new Expired(s.messageId(), s.recipientId(), s.sender(), s.recipient(), attempt - 1, null,
                    "expired before attempt " + attempt, s.requestedAt()));
        }
        return suppression.isSuppressed(s.recipient()).chain(suppressed -> suppressed
                ? record(new Rejected(s.messageId(), s.recipientId(), s.sender(), s.recipient(),
                        Rejected.Reason.SUPPRESSED, "recipient is on the suppression list"))
                : deliver(s, attempt, expiresAt));
    }

    private Uni<Void> deliver(SendRequested s, int attempt, Instant expiresAt) {
        Context context = Vertx.currentContext();
        return Uni.createFrom().item(() -> sign(s))
                .runSubscriptionOn(cpu)
                .emitOn(task -> context.runOnContext(v -> task.run()))
                .onItemOrFailure().transformToUni((bytes, failure) -> {
                    if (failure != null && !(failure instanceof IllegalArgumentException)) {
                        return Uni.createFrom().failure(failure); // a fault, not the content: retried
                    }
                    if (failure != null) {
                        // The content cannot be turned into a message: retrying will not help.
                        return record(new Rejected(s.messageId(), s.recipientId(), s.sender(), s.recipient(),
                                Rejected.Reason.INVALID, "cannot build message: " + failure.getMessage()));
                    }
                    return route.client().send(envelope(s), Buffer.buffer(bytes))
                            .chain(result -> outcome(s, attempt, expiresAt, result));
                });
    }

    /** The return path names the send (signed VERP), so a bounce that comes back by mail finds its story. */
    private SmtpEnvelope envelope(SendRequested s) {
        return new SmtpEnvelope(bounces.returnPath(s.recipientId(), s.sender()), List.of(s.recipient()));
    }

    private byte[] sign(SendRequested s) {
        byte[] message = renderer.render(s);
        return signers.forSenderDomain(s.senderDomain())
                .map(signer -> signer.sign(message, clock.instant()))
                .orElseGet(() -> {
                    metrics.unsigned();
                    return message;
                });
    }

    private Uni<Void> outcome(SendRequested s, int attempt, Instant expiresAt, SmtpResult result) {
        var r = result.recipients().get(0);
        SmtpReply reply = r.reply();
        if (reply != null && reply.isPositive()) {
            metrics.deliveredAfter(Duration.between(s.requestedAt(), clock.instant()));
            return record(new Delivered(s.messageId(), s.recipientId(), s.sender(), s.recipient(), attempt, reply,
                    result.remoteHost(), result.tlsUsed(), s.requestedAt()));
        }
        if (reply != null && reply.isPermanent()) {
            return record(new Bounced(s.messageId(), s.recipientId(), s.sender(), s.recipient(), attempt, reply,
                    result.remoteHost(), BounceClassifier.classify(reply)));
        }
        Optional<Instant> next = retry.nextAttempt(attempt, clock.instant(), expiresAt, ThreadLocalRandom.current());
        if (next.isEmpty()) {
            return record(new Expired(s.messageId(), s.recipientId(), s.sender(), s.recipient(), attempt, reply,
                    r.failure(), s.requestedAt()));
        }
        Deferred deferred = new Deferred(s.messageId(), s.recipientId(), s.sender(), s.recipient(), attempt, reply,
                r.failure(), result.remoteHost(), next.get());
        RetryScheduled again = new RetryScheduled(s, attempt + 1, next.get());
        Instant now = clock.instant();
        // Both must be on Kafka before the send's offset may be committed.
        return Uni.combine().all().unis(
                        publish(Topics.EVENTS, SendKeys.factKey(s), EventEnvelope.of(SOURCE, now, deferred)),
                        publish(Topics.RETRY, SendKeys.siteKey(s), EventEnvelope.of(SOURCE, now, again)))
                .discardItems()
                .invoke(() -> metrics.outcome(deferred));
    }

    private Uni<Void> record(PostwireEvent fact) {
        return publish(Topics.EVENTS, SendKeys.factKey(fact), EventEnvelope.of(SOURCE, clock.instant(), fact))
                .invoke(() -> metrics.outcome(fact));
    }

    /**
     * Records an outcome, retrying the write alone when Kafka refuses it: by now the relay may
     * have accepted the message, and failing the whole attempt would send it again on replay.
     * Only after about a minute of refusals does the failure reach the consumer loop.
     */
    private Uni<Void> publish(String topic, String key, EventEnvelope envelope) {
        return publisher.publish(topic, key, envelope)
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).atMost(8)
                .replaceWithVoid();
    }
}
