package io.postwire.projection;

import io.postwire.event.Bounced;
import io.postwire.event.Deferred;
import io.postwire.event.Delivered;
import io.postwire.event.EventEnvelope;
import io.postwire.event.Expired;
import io.postwire.event.PostwireEvent;
import io.postwire.event.Rejected;
import io.postwire.event.SendRequested;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Hourly counters per recipient domain and per sending domain. */
@ApplicationScoped
public class ReputationProjector implements Projector {

    static final String RECIPIENT = "recipient";
    static final String SENDER = "sender";

    @Override
    public String name() {
        return "reputation";
    }

    @Override
    public Uni<Void> apply(EventEnvelope envelope, String position) {
        PostwireEvent e = envelope.data();
        Counter counter = counterFor(e);
        if (counter == null) {
            return Uni.createFrom().voidItem();
        }
        Instant hour = envelope.time().truncatedTo(ChronoUnit.HOURS);
        return bump(RECIPIENT, e.recipientDomain(), hour, counter)
                .chain(() -> bump(SENDER, e.senderDomain(), hour, counter));
    }

    private interface Counter {
        void add(ReputationHour row);
    }

    private static Counter counterFor(PostwireEvent e) {
        if (e instanceof SendRequested) {
            return r -> r.sent++;
        } else if (e instanceof Delivered) {
            return r -> r.delivered++;
        } else if (e instanceof Deferred) {
            return r -> r.deferred++;
        } else if (e instanceof Bounced) {
            return r -> r.bounced++;
        } else if (e instanceof Rejected) {
            return r -> r.rejected++;
        } else if (e instanceof Expired) {
            return r -> r.expired++;
        }
        return null;
    }

    private Uni<Void> bump(String role, String domain, Instant hour, Counter counter) {
        String id = role + "|" + domain + "|" + hour.getEpochSecond();
        return ReputationHour.<ReputationHour>findById(id).chain(row -> {
            if (row != null) {
                counter.add(row);
                return Uni.createFrom().voidItem();
            }
            ReputationHour r = new ReputationHour();
            r.id = id;
            r.role = role;
            r.domain = domain;
            r.hour = hour;
            counter.add(r);
            return r.persist().replaceWithVoid();
        });
    }
}
