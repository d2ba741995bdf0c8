package io.postwire.api;

import io.postwire.projection.ReputationHour;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /api/v1/reputation/domains/{domain}?hours=24}: hourly counts and rates for a domain,
 * once as recipient domain and once as sending domain.
 */
@Path("/api/v1/reputation/domains/{domain}")
public class ReputationResource {

    private static final int MAX_HOURS = 24 * 31;

    /** Both roles of a domain over the window. */
    public record DomainReputation(String domain, Instant from, Instant to, RoleView asRecipientDomain,
            RoleView asSenderDomain) {
    }

    /** Totals, rates and the hours behind them. */
    public record RoleView(Counts totals, Rates rates, List<HourView> hours) {
    }

    /** Event counts. {@code sent} counts send requests; {@code deliveredTls} the deliveries made over TLS. */
    public record Counts(long sent, long delivered, long deferred, long bounced, long rejected, long expired,
            long complained, long deliveredTls) {
        Counts plus(Counts o) {
            return new Counts(sent + o.sent, delivered + o.delivered, deferred + o.deferred, bounced + o.bounced,
                    rejected + o.rejected, expired + o.expired, complained + o.complained,
                    deliveredTls + o.deliveredTls);
        }
    }

    /**
     * Rates over attempts that reached the remote server (delivered + deferred + bounced), the
     * denominator mailbox providers judge a sender by; the complaint rate is over delivered mail, as
     * providers compute it (Gmail and Yahoo ask senders to stay below 0.3 %); the TLS rate is the
     * share of delivered mail that went over TLS. Null when undefined.
     */
    public record Rates(Double delivery, Double deferral, Double bounce, Double complaint, Double tls) {
        static Rates of(Counts c) {
            long attempts = c.delivered() + c.deferred() + c.bounced();
            Double complaint = c.delivered() == 0 ? null : ratio(c.complained(), c.delivered());
            Double tls = c.delivered() == 0 ? null : ratio(c.deliveredTls(), c.delivered());
            if (attempts == 0) {
                return new Rates(null, null, null, complaint, tls);
            }
            return new Rates(ratio(c.delivered(), attempts), ratio(c.deferred(), attempts), ratio(c.bounced(), attempts),
                    complaint, tls);
        }

        private static double ratio(long n, long d) {
            return Math.round(n * 10000.0 / d) / 10000.0;
        }
    }

    /** One hour's counts. */
    public record HourView(Instant hour, Counts counts) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @WithSession
    public Uni<DomainReputation> get(@PathParam("domain") String domain, @QueryParam("hours") @DefaultValue("24") int hours) {
        if (hours < 1 || hours > MAX_HOURS) {
            throw new ProblemException(Problem.invalid(List.of(new Problem.FieldError("hours",
                    "must be between 1 and " + MAX_HOURS))));
        }
        String d = domain.toLowerCase(Locale.ROOT);
        Instant to = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
        Instant from = to.minus(hours, ChronoUnit.HOURS);
        return ReputationHour.<ReputationHour>list("domain = ?1 and hour >= ?2 and hour < ?3 order by hour", d, from, to)
                .map(rows -> new DomainReputation(d, from, to, role(rows, "recipient"), role(rows, "sender")));
    }

    private static RoleView role(List<ReputationHour> rows, String role) {
        List<HourView> hours = rows.stream().filter(r -> r.role.equals(role))
                .map(r -> new HourView(r.hour, new Counts(r.sent, r.delivered, r.deferred, r.bounced, r.rejected, r.expired,
                        r.complained, r.deliveredTls)))
                .toList();
        Counts totals = hours.stream().map(HourView::counts).reduce(new Counts(0, 0, 0, 0, 0, 0, 0, 0), Counts::plus);
        return new RoleView(totals, Rates.of(totals), hours);
    }
}
