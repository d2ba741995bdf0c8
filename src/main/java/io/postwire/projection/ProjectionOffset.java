package io.postwire.projection;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/**
 * The next Kafka offset a projector will apply, per topic partition. Written in the same
 * transaction as the projector's rows, so a redelivered record is recognised and skipped.
 */
@Entity
@Table(name = "projection_offset")
public class ProjectionOffset extends PanacheEntityBase {

    /** {@code projector|topic|partition}. */
    @Id
    @Column(name = "id", length = 200)
    public String id;

    @Column(name = "projector", nullable = false, length = 64)
    public String projector;

    @Column(name = "topic", nullable = false, length = 120)
    public String topic;

    @Column(name = "kafka_partition", nullable = false)
    public int partition;

    @Column(name = "next_offset", nullable = false)
    public long nextOffset;

    /**
     * Two runners of one projector can overlap for a moment (a rebalance hand-over, a second
     * replica with a lost group offset). Optimistic locking makes the later transaction fail
     * and retry, at which point it sees the offset and skips what the other applied.
     */
    @Version
    @Column(name = "version", nullable = false)
    public long version;

    static String id(String projector, String topic, int partition) {
        return projector + "|" + topic + "|" + partition;
    }
}
