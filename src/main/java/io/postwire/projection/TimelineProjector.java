package io.postwire.projection;

import io.postwire.event.Bounced;
import io.postwire.event.Complained;
import io.postwire.event.Deferred;
import io.postwire.event.Delivered;
import io.postwire.event.EventEnvelope;
import io.postwire.event.Expired;
import io.postwire.event.PostwireEvent;
import io.postwire.event.Rejected;
import io.postwire.event.RetryScheduled;
import io.postwire.event.SendRequested;
import io.postwire.event.SmtpReply;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds per-recipient status and the ordered list of events of every message. */
@ApplicationScoped
public class TimelineProjector implements Projector {

    @Override
    public String name() {
        return "timeline";
    }

    /**
     * Reads the batch's known events and recipients with one query each, then adds what is new.
     * An event already in the timeline (the same envelope produced twice) is skipped by its id.
     */
    @Override
    public Uni<Void> apply(List<Positioned> batch) {
        List<Positioned> relevant = batch.stream()
                .filter(p -> !(p.envelope().data() instanceof RetryScheduled)) // Deferred already says when
                .toList();
        if (relevant.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> eventIds = relevant.stream().map(p -> p.envelope().id()).distinct().toList();
        List<String> recipientIds = relevant.stream().map(p -> p.envelope().data().recipientId()).distinct().toList();
        return TimelineEntry.<TimelineEntry>list("eventId in ?1", eventIds).chain(known ->
                TimelineRecipient.<TimelineRecipient>list("recipientId in ?1", recipientIds).chain(rows -> {
                    Set<String> seen = new HashSet<>();
                    known.forEach(k -> seen.add(k.eventId));
                    Map<String, TimelineRecipient> byId = new HashMap<>();
                    rows.forEach(r -> byId.put(r.recipientId, r));
                    List<Object> created = new ArrayList<>();
                    for (Positioned p : relevant) {
                        if (seen.add(p.envelope().id())) {
                            TimelineRecipient row = byId.computeIfAbsent(p.envelope().data().recipientId(), id -> {
                                TimelineRecipient r = newRow(p.envelope().data());
                                created.add(r);
                                return r;
                            });
                            created.add(update(row, p.envelope(), p.position()));
                        }
                    }
                    return created.isEmpty() ? Uni.createFrom().voidItem()
                            : TimelineEntry.persist(created).replaceWithVoid();
                }));
    }

    private static TimelineRecipient newRow(PostwireEvent e) {
        TimelineRecipient row = new TimelineRecipient();
        row.recipientId = e.recipientId();
        row.messageId = e.messageId();
        row.recipient = e.recipient();
        row.sender = e.sender();
        return row;
    }

    /** Evolves the recipient's row by one event and returns the event's timeline entry. */
    private static TimelineEntry update(TimelineRecipient row, EventEnvelope envelope, String position) {
        PostwireEvent e = envelope.data();
        row.status = TimelineStatus.evolve(row.status, e);
        if (row.updatedAt == null || envelope.time().isAfter(row.updatedAt)) {
            row.updatedAt = envelope.time();
        }
        if (e instanceof SendRequested s) {
            row.subject = s.subject();
            row.requestedAt = s.requestedAt();
        }
        TimelineEntry entry = entry(envelope, position);
        if (entry.attempt != null && entry.attempt > row.attempts) {
            row.attempts = entry.attempt;
        }
        return entry;
    }

    private static TimelineEntry entry(EventEnvelope envelope, String position) {
        PostwireEvent e = envelope.data();
        TimelineEntry t = new TimelineEntry();
        t.eventId = envelope.id();
        t.messageId = e.messageId();
        t.recipientId = e.recipientId();
        t.type = envelope.type().typeName();
        t.occurredAt = envelope.time();
        t.kafkaPosition = position;
        if (e instanceof Delivered d) {
            t.attempt = d.attempt();
            reply(t, d.reply());
            t.remoteHost = d.remoteHost();
            t.detail = d.tls() ? "tls" : "no tls";
        } else if (e instanceof Deferred d) {
            t.attempt = d.attempt();
            reply(t, d.reply());
            t.failure = d.failure();
            t.remoteHost = d.remoteHost();
            t.detail = "next attempt at " + d.nextAttemptAt();
        } else if (e instanceof Bounced b) {
            t.attempt = b.attempt();
            reply(t, b.reply());
            t.remoteHost = b.remoteHost();
            t.detail = b.bounceClass().name() + (b.fromDsn() ? " (dsn)" : "");
        } else if (e instanceof Complained c) {
            String detail = "complaint " + c.feedbackType() + " via " + c.userAgent();
            t.detail = detail.length() > 2000 ? detail.substring(0, 2000) : detail;
        } else if (e instanceof Rejected r) {
            t.detail = r.reason() + (r.detail() == null ? "" : ": " + r.detail());
        } else if (e instanceof Expired x) {
            t.attempt = x.attempts();
            reply(t, x.lastReply());
            t.failure = x.lastFailure();
        }
        return t;
    }

    private static void reply(TimelineEntry t, SmtpReply r) {
        if (r != null) {
            t.replyCode = r.code();
            t.enhancedCode = r.enhancedCode();
            t.replyText = r.text().length() > 2000 ? r.text().substring(0, 2000) : r.text();
        }
    }
}
