package io.postwire.projection;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.Table;
import java.time.Instant;

/** Counts for one domain in one hour, seen as recipient domain or as sending domain. */
@Entity
@Table(name = "reputation_hour", indexes = @Index(name = "reputation_hour_domain", columnList = "domain, role, hour"))
public class ReputationHour extends PanacheEntityBase {

    /** {@code role|domain|hour-epoch-second}. */
    @Id
    @Column(name = "id", length = 300)
    public String id;

    /** recipient or sender. */
    @Column(name = "role", nullable = false, length = 16)
    public String role;

    @Column(name = "domain", nullable = false, length = 253)
    public String domain;

    @Column(name = "hour", nullable = false)
    public Instant hour;

    @Column(name = "sent", nullable = false)
    public long sent;

    @Column(name = "delivered", nullable = false)
    public long delivered;

    @Column(name = "deferred", nullable = false)
    public long deferred;

    @Column(name = "bounced", nullable = false)
    public long bounced;

    @Column(name = "rejected", nullable = false)
    public long rejected;

    @Column(name = "expired", nullable = false)
    public long expired;

    /** Complaints (ARF reports) about mail to or from this domain; a default lets the schema update add it to old rows. */
    @Column(name = "complained", nullable = false, columnDefinition = "bigint default 0 not null")
    public long complained;

    /**
     * Of {@code delivered}, how many went over TLS: per recipient domain, whether (and how much of)
     * our mail to it is encrypted in transit. A default lets the schema update add it to old rows.
     */
    @Column(name = "delivered_tls", nullable = false, columnDefinition = "bigint default 0 not null")
    public long deliveredTls;
}
