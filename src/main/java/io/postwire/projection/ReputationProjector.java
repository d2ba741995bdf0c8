package io.postwire.projection;

import io.postwire.event.Bounced;
import io.postwire.event.Complained;
import io.postwire.event.Deferred;
import io.postwire.event.Delivered;
import io.postwire.event.Expired;
import io.postwire.event.PostwireEvent;
import io.postwire.event.Rejected;
import io.postwire.event.SendRequested;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hourly counters per recipient domain and per sending domain, updated once per row and batch. */
@ApplicationScoped
public class ReputationProjector implements Projector {

    static final String RECIPIENT = "recipient";
    static final String SENDER = "sender";

    @Override
    public String name() {
        return "reputation";
    }

    /** Adds up a whole batch in memory, then reads and writes each touched row once. */
    @Override
    public Uni<Void> apply(List<Positioned> batch) {
        Map<String, ReputationHour> deltas = new LinkedHashMap<>();
        for (Positioned p : batch) {
            PostwireEvent e = p.envelope().data();
            Counter counter = counterFor(e);
            if (counter == null) {
                continue;
            }
            Instant hour = p.envelope().time().truncatedTo(ChronoUnit.HOURS);
            counter.add(delta(deltas, RECIPIENT, e.recipientDomain(), hour));
            counter.add(delta(deltas, SENDER, e.senderDomain(), hour));
        }
        if (deltas.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return ReputationHour.<ReputationHour>list("id in ?1", List.copyOf(deltas.keySet())).chain(rows -> {
            Map<String, ReputationHour> existing = new HashMap<>();
            rows.forEach(r -> existing.put(r.id, r));
            List<ReputationHour> created = new ArrayList<>();
            deltas.forEach((id, d) -> {
                ReputationHour row = existing.get(id);
                if (row == null) {
                    created.add(d); // a fresh delta is the new row
                } else {
                    row.sent += d.sent;
                    row.delivered += d.delivered;
                    row.deferred += d.deferred;
                    row.bounced += d.bounced;
                    row.rejected += d.rejected;
                    row.expired += d.expired;
                    row.complained += d.complained;
                    row.deliveredTls += d.deliveredTls;
                }
            });
            return created.isEmpty() ? Uni.createFrom().voidItem() : ReputationHour.persist(created).replaceWithVoid();
        });
    }

    private interface Counter {
        void add(ReputationHour row);
    }

    private static Counter counterFor(PostwireEvent e) {
        if (e instanceof SendRequested) {
            return r -> r.sent++;
        } else if (e instanceof Delivered d) {
            return d.tls() ? r -> {
                r.delivered++;
                r.deliveredTls++;
            } : r -> r.delivered++;
        } else if (e instanceof Deferred) {
            return r -> r.deferred++;
        } else if (e instanceof Bounced) {
            // A DSN bounce comes after the relay's 250 was counted as delivered: both counts keep it,
            // so delivered means "accepted by the next hop" and the bounce rate includes late bounces.
            return r -> r.bounced++;
        } else if (e instanceof Complained) {
            return r -> r.complained++;
        } else if (e instanceof Rejected) {
            return r -> r.rejected++;
        } else if (e instanceof Expired) {
            return r -> r.expired++;
        }
        return null;
    }

    private static ReputationHour delta(Map<String, ReputationHour> deltas, String role, String domain, Instant hour) {
        String id = role + "|" + domain + "|" + hour.getEpochSecond();
        return deltas.computeIfAbsent(id, k -> {
            ReputationHour r = new ReputationHour();
            r.id = k;
            r.role = role;
            r.domain = domain;
            r.hour = hour;
            return r;
        });
    }
}
