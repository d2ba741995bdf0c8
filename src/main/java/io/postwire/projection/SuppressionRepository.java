package io.postwire.projection;

import io.postwire.dispatch.SuppressionCheck;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;

/** Reads the suppression view for the dispatcher. */
@ApplicationScoped
public class SuppressionRepository implements SuppressionCheck {

    @Override
    public Uni<Boolean> isSuppressed(String address) {
        return Panache.withSession(() -> Suppression.<Suppression>findById(address.toLowerCase(Locale.ROOT)))
                .map(s -> s != null);
    }
}
