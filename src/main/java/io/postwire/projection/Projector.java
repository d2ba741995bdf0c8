package io.postwire.projection;

import io.postwire.event.EventEnvelope;
import io.smallrye.mutiny.Uni;

/**
 * Folds events into one view. {@link #apply} runs inside the transaction that also stores the
 * projector's Kafka offsets, so it must only touch the database through the current session.
 */
public interface Projector {

    /** Stable name: part of the consumer group and of the stored offsets' ids. */
    String name();

    /** @param position {@code topic-partition@offset}, for tracing a row back to its record */
    Uni<Void> apply(EventEnvelope envelope, String position);
}
