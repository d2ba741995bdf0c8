package io.postwire.projection;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;

/** The current state of one recipient's send: the row behind a message's timeline. */
@Entity
@Table(name = "timeline_recipient", indexes = @Index(name = "timeline_recipient_message", columnList = "message_id"))
public class TimelineRecipient extends PanacheEntityBase {

    @Id
    @Column(name = "recipient_id", length = 100)
    public String recipientId;

    @Column(name = "message_id", nullable = false, length = 64)
    public String messageId;

    @Column(name = "sender", length = 254)
    public String sender;

    @Column(name = "recipient", nullable = false, length = 254)
    public String recipient;

    @Column(name = "subject", length = 998)
    public String subject;

    /** queued, deferred, delivered, bounced, rejected or expired. */
    @Column(name = "status", nullable = false, length = 16)
    public String status;

    @Column(name = "attempts", nullable = false)
    public int attempts;

    @Column(name = "requested_at")
    public Instant requestedAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
