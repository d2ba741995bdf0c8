package io.postwire.projection;

import io.postwire.bus.Topics;
import io.postwire.event.EventEnvelope;
import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * Folds events into one view. {@link #apply(List)} runs inside the transaction that also stores
 * the projector's Kafka offsets, so it must only touch the database through the current session.
 */
public interface Projector {

    /** One event and where it was read: {@code topic-partition@offset}, for tracing a row back. */
    record Positioned(EventEnvelope envelope, String position) {
    }

    /** Stable name: part of the consumer group and of the stored offsets' ids. */
    String name();

    /** The topics this projector needs; reading fewer saves decoding every send's content. */
    default List<String> topics() {
        return List.of(Topics.SEND, Topics.EVENTS);
    }

    /**
     * Applies a polled batch, in order, in the current transaction. Projectors read and write
     * per batch: a query per event is what makes projections expensive.
     */
    Uni<Void> apply(List<Positioned> batch);
}
