package io.postwire.ingest;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A claimed idempotency key. This is ingest's own lock, not a projection: the unique key is
 * what stops two replicas from both sending the same request.
 */
@Entity
@Table(name = "idempotency_claim")
public class IdempotencyClaim extends PanacheEntityBase {

    /** API key id and the client's key, so two tenants never collide. */
    @Id
    @Column(name = "scope_key", length = 300)
    public String scopeKey;

    @Column(name = "request_hash", nullable = false, length = 64)
    public String requestHash;

    @Column(name = "message_id", nullable = false, length = 64)
    public String messageId;

    /** PENDING until every SendRequested is acknowledged by Kafka, then ACCEPTED. */
    @Column(name = "state", nullable = false, length = 16)
    public String state;

    @Column(name = "claimed_at", nullable = false)
    public Instant claimedAt;
}
