package io.postwire.projection;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;

/** One event in a recipient's timeline, with the SMTP reply flattened for querying. */
@Entity
@Table(name = "timeline_event", indexes = {
        @Index(name = "timeline_event_message", columnList = "message_id"),
        @Index(name = "timeline_event_recipient", columnList = "recipient_id")})
public class TimelineEntry extends PanacheEntityBase {

    /** The envelope id: a redelivered event maps onto the same row. */
    @Id
    @Column(name = "event_id", length = 64)
    public String eventId;

    @Column(name = "message_id", nullable = false, length = 64)
    public String messageId;

    @Column(name = "recipient_id", nullable = false, length = 100)
    public String recipientId;

    @Column(name = "type", nullable = false, length = 40)
    public String type;

    @Column(name = "occurred_at", nullable = false)
    public Instant occurredAt;

    @Column(name = "attempt")
    public Integer attempt;

    @Column(name = "reply_code")
    public Integer replyCode;

    @Column(name = "enhanced_code", length = 16)
    public String enhancedCode;

    @Column(name = "reply_text", length = 2000)
    public String replyText;

    @Column(name = "failure", length = 2000)
    public String failure;

    @Column(name = "remote_host", length = 300)
    public String remoteHost;

    @Column(name = "detail", length = 2000)
    public String detail;

    @Column(name = "kafka_position", length = 200)
    public String kafkaPosition;
}
