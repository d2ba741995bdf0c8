package io.postwire.projection;

import io.postwire.bus.Topics;
import io.postwire.event.Bounced;
import io.postwire.event.EventEnvelope;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Locale;

/**
 * Suppresses a recipient after a bounce whose class says the address cannot receive mail. The
 * first such fact is kept as the reason; later ones do not overwrite it.
 */
@ApplicationScoped
public class SuppressionProjector implements Projector {

    @Override
    public String name() {
        return "suppression";
    }

    /** Bounces are on the events topic; the send topic's content is not needed here. */
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

    /** Bounces are rare next to deliveries, so one lookup per bounce is cheap enough. */
    private Uni<Void> suppress(EventEnvelope envelope) {
        if (!(envelope.data() instanceof Bounced b) || !b.bounceClass().suppressesRecipient()) {
            return Uni.createFrom().voidItem();
        }
        String address = b.recipient().toLowerCase(Locale.ROOT);
        return Suppression.<Suppression>findById(address).chain(existing -> {
            if (existing != null) {
                return Uni.createFrom().voidItem();
            }
            Suppression s = new Suppression();
            s.address = address;
            s.reason = "hard-bounce";
            s.bounceClass = b.bounceClass().name();
            s.reply = b.reply().toString();
            s.sourceEventId = envelope.id();
            s.sourceRecipientId = b.recipientId();
            s.suppressedAt = envelope.time();
            return s.persist().replaceWithVoid();
        });
    }
}
