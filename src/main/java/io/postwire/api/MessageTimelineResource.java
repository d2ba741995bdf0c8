package io.postwire.api;

import io.postwire.projection.TimelineEntry;
import io.postwire.projection.TimelineRecipient;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code GET /api/v1/messages/{id}}: each recipient's status and every event in order. */
@Path("/api/v1/messages/{id}")
public class MessageTimelineResource {

    /** The API view of a message. */
    public record MessageView(String messageId, List<RecipientView> recipients) {
    }

    /** One recipient's story. */
    public record RecipientView(String recipientId, String recipient, String sender, String subject, String status,
            int attempts, Instant requestedAt, Instant updatedAt, List<EventView> events) {
    }

    /** One event of a story. */
    public record EventView(String eventId, String type, Instant time, Integer attempt, ReplyView reply, String failure,
            String remoteHost, String detail) {
    }

    /** An SMTP reply as the API shows it. */
    public record ReplyView(int code, String enhancedCode, String text) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @WithSession
    public Uni<MessageView> get(@PathParam("id") String id) {
        return TimelineRecipient.<TimelineRecipient>list("messageId = ?1 order by recipientId", id)
                .chain(recipients -> {
                    if (recipients.isEmpty()) {
                        return Uni.createFrom().failure(new ProblemException(Problem.of(404, "not-found",
                                "Not found", "no message " + id + " (it may not be projected yet)")));
                    }
                    return TimelineEntry.<TimelineEntry>list("messageId = ?1 order by occurredAt, eventId", id)
                            .map(entries -> view(id, recipients, entries));
                });
    }

    private static MessageView view(String id, List<TimelineRecipient> recipients, List<TimelineEntry> entries) {
        Map<String, List<EventView>> byRecipient = entries.stream().collect(Collectors.groupingBy(
                e -> e.recipientId, Collectors.mapping(MessageTimelineResource::event, Collectors.toList())));
        return new MessageView(id, recipients.stream()
                .map(r -> new RecipientView(r.recipientId, r.recipient, r.sender, r.subject, r.status, r.attempts,
                        r.requestedAt, r.updatedAt, byRecipient.getOrDefault(r.recipientId, List.of())))
                .toList());
    }

    private static EventView event(TimelineEntry e) {
        ReplyView reply = e.replyCode == null ? null : new ReplyView(e.replyCode, e.enhancedCode, e.replyText);
        String type = e.type.substring(e.type.lastIndexOf('.') + 1);
        return new EventView(e.eventId, type, e.occurredAt, e.attempt, reply, e.failure, e.remoteHost, e.detail);
    }
}
