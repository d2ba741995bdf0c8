package io.postwire.smtp;

import io.postwire.event.SmtpReply;
import io.vertx.core.AsyncResult;

/**
 * How one command of a transaction ended: with a server reply, or with a network-level failure
 * reason when no reply came. Exactly one is set.
 */
record Step(SmtpReply reply, String failure) {

    Step {
        if ((reply == null) == (failure == null)) {
            throw new IllegalArgumentException("exactly one of reply and failure must be set");
        }
    }

    static Step of(AsyncResult<ServerReply> ar) {
        return ar.succeeded()
                ? new Step(ar.result().reply(), null)
                : new Step(null, AttemptFailure.reasonOf(ar.cause()));
    }

    boolean positive() {
        return reply != null && reply.isPositive();
    }

    boolean hasCode(int code) {
        return reply != null && reply.code() == code;
    }
}
