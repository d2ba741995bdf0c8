package io.postwire.projection;

import io.postwire.bus.Topics;
import io.postwire.event.Bounced;
import io.postwire.event.Complained;
import io.postwire.event.EventEnvelope;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Locale;

/**
 * Suppresses a recipient after a bounce whose class says the address cannot receive mail (from
 * our SMTP session or a DSN alike), or after a complaint. The first such fact is kept as the
 * reason; later ones do not overwrite it.
 */
@ApplicationScoped
public class SuppressionProjector implements Projector {

    static final String HARD_BOUNCE = "hard-bounce";
    static final String COMPLAINT = "complaint";

    @Override
    public String name() {
        return "suppression";
    }

    /** Bounces and complaints are on the events topic; the send topic's content is not needed here. */
    @Override
    public List<String> topics() {
        return List.of(Topics.EVENTS);
    }

    @Override
    public Uni<Void> apply(List<Positioned> batch) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Positioned p : batch) {
            chain = chain.chain(() -> suppress(p.envelope()));
        }
        return chain;
    }

    /** Bounces and complaints are rare next to deliveries, so one lookup per fact is cheap enough. */
    private Uni<Void> suppress(EventEnvelope envelope) {
        Suppression s = suppressionFor(envelope);
        if (s == null) {
            return Uni.createFrom().voidItem();
        }
        return Suppression.<Suppression>findById(s.address).chain(existing ->
                existing != null ? Uni.createFrom().voidItem() : s.persist().replaceWithVoid());
    }

    /** The row an event would add, or null when the event does not suppress its recipient. */
    static Suppression suppressionFor(EventEnvelope envelope) {
        Suppression s = new Suppression();
        if (envelope.data() instanceof Bounced b && b.bounceClass().suppressesRecipient()) {
            s.reason = HARD_BOUNCE;
            s.bounceClass = b.bounceClass().name();
            s.reply = b.reply().toString();
        } else if (envelope.data() instanceof Complained c && c.suppressesRecipient()) {
            s.reason = COMPLAINT;
            s.reply = "feedback-type " + c.feedbackType() + " from " + c.userAgent();
        } else {
            return null;
        }
        s.address = envelope.data().recipient().toLowerCase(Locale.ROOT);
        s.sourceEventId = envelope.id();
        s.sourceRecipientId = envelope.data().recipientId();
        s.suppressedAt = envelope.time();
        return s;
    }
}
