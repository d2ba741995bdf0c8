package io.postwire.inbound;

import io.micrometer.core.instrument.MeterRegistry;
import io.postwire.bus.DeadLetters;
import io.postwire.bus.EventPublisher;
import io.postwire.bus.SendKeys;
import io.postwire.bus.Topics;
import io.postwire.event.EventEnvelope;
import io.postwire.event.PostwireEvent;
import io.postwire.feedback.BounceAddresses;
import io.postwire.feedback.Feedback;
import io.postwire.feedback.FeedbackEvents;
import io.postwire.feedback.FeedbackReader;
import io.postwire.smtpd.MailTransaction;
import io.postwire.smtpd.SessionInfo;
import io.postwire.smtpd.SmtpdHandler;
import io.postwire.smtpd.SmtpdReply;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Turns mail to the bounce domain into facts. A DSN becomes Bounced or Deferred, an ARF report
 * Complained, for the send its signed return path or tracking header names; anything else goes to
 * the dead-letter topic whole, with the reason. {@code 250} is given only once all of that is on
 * Kafka, so a report is never acknowledged and then lost.
 */
final class InboundHandler implements SmtpdHandler {

    private static final Logger LOG = Logger.getLogger(InboundHandler.class);
    static final String SOURCE = "postwire/feedback";
    static final String ORIGIN = "inbound-smtp";

    private final BounceAddresses addresses;
    private final FeedbackReader reader;
    private final SendDirectory directory;
    private final EventPublisher publisher;
    private final DeadLetters deadLetters;
    private final MeterRegistry registry;
    private final Clock clock;

    InboundHandler(BounceAddresses addresses, SendDirectory directory, EventPublisher publisher,
            DeadLetters deadLetters, MeterRegistry registry, Clock clock) {
        this.addresses = addresses;
        this.reader = new FeedbackReader(addresses.verp().orElseThrow());
        this.directory = directory;
        this.publisher = publisher;
        this.deadLetters = deadLetters;
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public Future<Boolean> authenticate(SessionInfo session, String username, String password) {
        return Future.succeededFuture(false); // never offered here
    }

    @Override
    public SmtpdReply checkSender(SessionInfo session, String reversePath) {
        return null; // DSNs come from the null sender; complaints from anyone
    }

    @Override
    public SmtpdReply checkRecipient(SessionInfo session, String reversePath, String recipient) {
        if (addresses.accepts(recipient)) {
            return null;
        }
        return addresses.inDomain(recipient)
                ? new SmtpdReply(550, "5.1.1", "No such recipient here")
                : new SmtpdReply(550, "5.7.1", "Relaying denied: this server only accepts bounces and feedback");
    }

    @Override
    public Future<SmtpdReply> deliver(SessionInfo session, MailTransaction tx) {
        Instant receivedAt = clock.instant();
        Uni<Void> all = Uni.createFrom().voidItem();
        for (String recipient : tx.recipients()) {
            all = all.chain(() -> handle(session, tx, recipient, receivedAt));
        }
        return Future.fromCompletionStage(all.subscribeAsCompletionStage())
                .map(v -> new SmtpdReply(250, "2.0.0", "Ok: report received"))
                .otherwise(e -> {
                    if (e instanceof NotYetKnown n) {
                        return new SmtpdReply(451, "4.3.0", n.getMessage());
                    }
                    LOG.errorf("inbound report from %s not stored: %s", session.remote(), e.toString());
                    return new SmtpdReply(451, "4.3.0", "Report not stored; try again later");
                });
    }

    private Uni<Void> handle(SessionInfo session, MailTransaction tx, String recipient, Instant receivedAt) {
        Feedback feedback = reader.read(recipient, tx.message());
        if (feedback instanceof Feedback.Unrecognised u) {
            return deadLetter(session, tx, recipient, "not a delivery or feedback report: " + u.reason());
        }
        if (feedback.recipientId().isEmpty()) {
            return deadLetter(session, tx, recipient, "report names no send (no valid return-path token or X-Postwire-Id)");
        }
        String recipientId = feedback.recipientId().get();
        return directory.find(recipientId).chain(ref -> {
            if (ref.isEmpty()) {
                if (addresses.verp().get().decode(recipient).isPresent()) {
                    // Our own signature names this send, so it exists: the timeline has not caught up yet.
                    return Uni.createFrom().failure(new NotYetKnown(recipientId));
                }
                return deadLetter(session, tx, recipient, "report names unknown send " + recipientId);
            }
            List<PostwireEvent> events = FeedbackEvents.toEvents(feedback, ref.get(), receivedAt);
            registry.counter("postwire.feedback.reports", "kind", kind(feedback), "events",
                    Integer.toString(events.size())).increment();
            return publishAll(events, receivedAt);
        });
    }

    private Uni<Void> publishAll(List<PostwireEvent> events, Instant receivedAt) {
        List<Uni<Void>> sends = new ArrayList<>();
        for (PostwireEvent e : events) {
            sends.add(publisher.publish(Topics.EVENTS, SendKeys.factKey(e), EventEnvelope.of(SOURCE, receivedAt, e))
                    .replaceWithVoid());
        }
        return sends.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(sends).andFailFast().replaceWithVoid();
    }

    private Uni<Void> deadLetter(SessionInfo session, MailTransaction tx, String recipient, String reason) {
        return deadLetters.sendInput(ORIGIN, recipient, tx.message(), reason, Map.of(
                "postwire-inbound-recipient", recipient,
                "postwire-inbound-sender", tx.reversePath(),
                "postwire-inbound-client", String.valueOf(session.remote())));
    }

    private static String kind(Feedback f) {
        return f instanceof Feedback.ComplaintReport ? "complaint" : "dsn";
    }

    /** The send exists (our signature says so) but is not projected yet: the sender should retry. */
    private static final class NotYetKnown extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotYetKnown(String recipientId) {
            super("Send " + recipientId + " not known yet; try again later", null, false, false);
        }
    }
}
