package io.postwire.projection;

import io.postwire.dispatch.SuppressionCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;

/**
 * Reads the suppression view for the dispatcher. It runs once per delivery attempt, so it is one
 * prepared statement on the reactive pool rather than an ORM session and entity load, which cost
 * about a tenth of the dispatcher's CPU in the benchmark profile (docs/benchmarks.md).
 */
@ApplicationScoped
public class SuppressionRepository implements SuppressionCheck {

    /** Table and column of {@link Suppression}. */
    private static final String QUERY = "SELECT 1 FROM suppression WHERE address = $1";

    private final Pool pool;

    SuppressionRepository(Pool pool) {
        this.pool = pool;
    }

    @Override
    public Uni<Boolean> isSuppressed(String address) {
        return pool.preparedQuery(QUERY).execute(Tuple.of(address.toLowerCase(Locale.ROOT)))
                .map(rows -> rows.size() > 0);
    }
}
