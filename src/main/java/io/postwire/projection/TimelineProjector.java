package io.postwire.projection;

import io.postwire.event.Bounced;
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

/** Builds per-recipient status and the ordered list of events of every message. */
@ApplicationScoped
public class TimelineProjector implements Projector {

    @Override
    public String name() {
        return "timeline";
    }

    @Override
    public Uni<Void> apply(EventEnvelope envelope, String position) {
        PostwireEvent e = envelope.data();
        if (e instanceof RetryScheduled) {
            return Uni.createFrom().voidItem(); // the Deferred event already says when
        }
        return TimelineEntry.<TimelineEntry>findById(envelope.id()).chain(seen -> seen != null
                ? Uni.createFrom().voidItem()
                : TimelineRecipient.<TimelineRecipient>findById(e.recipientId())
                        .chain(row -> update(row, envelope, position)));
    }

    private Uni<Void> update(TimelineRecipient row, EventEnvelope envelope, String position) {
        PostwireEvent e = envelope.data();
        boolean isNew = row == null;
        if (isNew) {
            row = new TimelineRecipient();
            row.recipientId = e.recipientId();
            row.messageId = e.messageId();
            row.recipient = e.recipient();
            row.sender = e.sender();
        }
        row.status = TimelineStatus.evolve(row.status, e);
        row.updatedAt = envelope.time();
        if (e instanceof SendRequested s) {
            row.subject = s.subject();
            row.requestedAt = s.requestedAt();
        }
        TimelineEntry entry = entry(envelope, position);
        if (entry.attempt != null && entry.attempt > row.attempts) {
            row.attempts = entry.attempt;
        }
        Uni<?> saveRow = isNew ? row.persist() : Uni.createFrom().voidItem();
        return saveRow.chain(entry::persist).replaceWithVoid();
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
            t.detail = b.bounceClass().name();
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
