package io.postwire.dispatch;

import io.smallrye.mutiny.Uni;

/** Answers whether a recipient must not be sent to; implemented by the suppression projection. */
public interface SuppressionCheck {

    /** Must be called on a Vert.x duplicated context. */
    Uni<Boolean> isSuppressed(String address);
}
