package io.postwire.dispatch;

import io.smallrye.common.vertx.VertxContext;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.Executor;

/**
 * Runs each handled record on its own duplicated Vert.x context, the way Quarkus runs each HTTP
 * request: reactive Hibernate sessions and Vert.x clients need one, and separate contexts keep
 * records from sharing context-local state.
 */
final class VertxExecutors {

    private VertxExecutors() {
    }

    static Executor perRecordContext(Vertx vertx) {
        Context root = vertx.getOrCreateContext();
        return task -> {
            Context dup = VertxContext.createNewDuplicatedContext(root);
            VertxContextSafetyToggle.setContextSafe(dup, true);
            dup.runOnContext(v -> task.run());
        };
    }
}
