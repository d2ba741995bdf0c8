package io.postwire.api;

import io.postwire.projection.Suppression;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.Locale;

/** {@code GET /api/v1/suppressions/{address}}: why a recipient is suppressed; 404 when it is not. */
@Path("/api/v1/suppressions/{address}")
public class SuppressionResource {

    /** The API view of a suppression. */
    public record SuppressionView(String address, String reason, String bounceClass, String reply, String sourceEventId,
            String sourceRecipientId, Instant suppressedAt) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @WithSession
    public Uni<SuppressionView> get(@PathParam("address") String address) {
        return Suppression.<Suppression>findById(address.toLowerCase(Locale.ROOT)).map(s -> {
            if (s == null) {
                throw new ProblemException(Problem.of(404, "not-suppressed", "Not suppressed",
                        address + " is not on the suppression list"));
            }
            return new SuppressionView(s.address, s.reason, s.bounceClass, s.reply, s.sourceEventId,
                    s.sourceRecipientId, s.suppressedAt);
        });
    }
}
