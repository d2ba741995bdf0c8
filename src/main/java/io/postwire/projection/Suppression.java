package io.postwire.projection;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A recipient Postwire will not send to, and the fact that put it there. */
@Entity
@Table(name = "suppression")
public class Suppression extends PanacheEntityBase {

    /** Lower-cased address. */
    @Id
    @Column(name = "address", length = 254)
    public String address;

    /** hard-bounce for now; complaint and unsubscribe come with the feedback loop. */
    @Column(name = "reason", nullable = false, length = 32)
    public String reason;

    @Column(name = "bounce_class", length = 40)
    public String bounceClass;

    @Column(name = "reply", length = 2000)
    public String reply;

    @Column(name = "source_event_id", nullable = false, length = 64)
    public String sourceEventId;

    @Column(name = "source_recipient_id", length = 100)
    public String sourceRecipientId;

    @Column(name = "suppressed_at", nullable = false)
    public Instant suppressedAt;
}
