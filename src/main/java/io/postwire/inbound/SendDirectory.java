package io.postwire.inbound;

import io.postwire.feedback.SendRef;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Finds the send a bounce or complaint is about, by recipient id, in the timeline projection: the
 * report itself is not trusted for the addresses, so a forged report cannot pick whom it hits.
 */
@ApplicationScoped
public class SendDirectory {

    private static final String QUERY =
            "select message_id, sender, recipient, attempts from timeline_recipient where recipient_id = $1";

    private final Pool pool;

    SendDirectory(Pool pool) {
        this.pool = pool;
    }

    public Uni<Optional<SendRef>> find(String recipientId) {
        return pool.preparedQuery(QUERY).execute(Tuple.of(recipientId)).map(rows -> {
            RowIterator<Row> it = rows.iterator();
            if (!it.hasNext()) {
                return Optional.empty();
            }
            Row r = it.next();
            return Optional.of(new SendRef(r.getString("message_id"), recipientId, r.getString("sender"),
                    r.getString("recipient"), Math.max(1, r.getInteger("attempts"))));
        });
    }
}
