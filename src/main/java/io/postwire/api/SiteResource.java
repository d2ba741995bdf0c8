package io.postwire.api;

import io.postwire.dispatch.RetryForwarder;
import io.postwire.dispatch.SiteCommands;
import io.postwire.dispatch.SiteShaping;
import io.postwire.event.SiteLimits;
import io.postwire.shaping.SiteKey;
import io.postwire.shaping.SiteSnapshot;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Delivery sites as this process's dispatcher sees them, and operators' suspend/resume.
 *
 * <p>The listing is per process: each dispatcher holds only the sites whose sends it owns (and
 * has seen lately). Suspend and resume are published as manual site events on
 * {@code postwire.sites.v1}; every dispatcher applies them, so the owner does whichever replica
 * took the request. Hence 202: the command is stored, and applied within moments.
 */
@Path("/api/v1/sites")
@Produces(MediaType.APPLICATION_JSON)
public class SiteResource {

    private static final Pattern SHORT = Pattern.compile("([0-9]{1,9})(s|m|h|d)");

    /** One site as seen by this process. */
    public record SiteView(String site, String pool, String state, String reason, Instant until,
            SiteLimits configured, SiteLimits effective, int openConnections, long sentToday, String lastReply,
            Instant lastReplyAt, Instant lastNetworkFailureAt, long backlog, long parked, Instant oldestWaiting) {

        /**
         * {@code backlog}: sends in this process waiting for the site's rate or a connection;
         * {@code parked}: the site's retries and parked sends the retry forwarders hold (every
         * pool's; records a full retry tier has not read are not counted); {@code oldestWaiting}:
         * the earliest {@code requestedAt} among both.
         */
        static SiteView of(SiteSnapshot s, RetryForwarder.Waiting parked) {
            Instant oldest = s.oldestQueued();
            if (parked != null && (oldest == null || parked.oldestRequestedAt().isBefore(oldest))) {
                oldest = parked.oldestRequestedAt();
            }
            return new SiteView(s.key().site(), s.key().pool(), s.state().name().toLowerCase(Locale.ROOT), s.reason(),
                    s.until(), s.configured(), s.effective(), s.openConnections(), s.sentToday(),
                    s.lastReply() == null ? null : s.lastReply().toString(), s.lastReplyAt(),
                    s.lastNetworkFailureAt(), s.queued(), parked == null ? 0 : parked.count(), oldest);
        }
    }

    /** The listing; {@code shaping} false means shaping is off (or mail goes through a relay only). */
    public record SiteList(boolean shaping, List<SiteView> sites) {
    }

    /**
     * {@code duration}: ISO-8601 ({@code PT1H}) or short ({@code 30m}, {@code 2h}); {@code reason}:
     * free text; {@code pool}: the sending pool whose traffic to the site stops (default {@code default}).
     */
    public record SuspendRequest(String duration, String reason, String pool) {
    }

    public record ResumeRequest(String reason, String pool) {
    }

    /** What was published. */
    public record CommandAccepted(String site, String pool, String command, Instant until, String reason) {
    }

    private final SiteShaping shaping;
    private final SiteCommands commands;
    private final RetryForwarder retries;

    SiteResource(SiteShaping shaping, SiteCommands commands, RetryForwarder retries) {
        this.shaping = shaping;
        this.commands = commands;
        this.retries = retries;
    }

    @GET
    public SiteList list() {
        Map<String, RetryForwarder.Waiting> parked = retries.waitingBySite();
        return new SiteList(shaping.enabled(), shaping.snapshot().stream()
                .map(s -> SiteView.of(s, parked.get(s.key().site()))).toList());
    }

    @POST
    @Path("/{site}/suspend")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> suspend(@PathParam("site") String site, SuspendRequest body) {
        requireShaping();
        if (body == null || body.duration() == null || body.duration().isBlank()) {
            throw new ProblemException(Problem.invalid(List.of(new Problem.FieldError("duration", "is required"))));
        }
        Duration d = parse(body.duration().strip());
        if (d == null || d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(30)) > 0) {
            throw new ProblemException(Problem.invalid(List.of(new Problem.FieldError("duration",
                    "must be a positive duration up to 30 days, e.g. PT1H or 30m"))));
        }
        String reason = reason(body.reason(), "suspended");
        return commands.suspend(site, pool(body.pool()), d, reason).map(e -> Response.accepted(
                new CommandAccepted(e.site(), e.pool(), "suspend", e.until(), reason)).build());
    }

    @POST
    @Path("/{site}/resume")
    public Uni<Response> resume(@PathParam("site") String site, ResumeRequest body) {
        requireShaping();
        String reason = reason(body == null ? null : body.reason(), "resumed");
        return commands.resume(site, pool(body == null ? null : body.pool()), reason).map(e -> Response.accepted(
                new CommandAccepted(e.site(), e.pool(), "resume", null, reason)).build());
    }

    private static String pool(String given) {
        if (given == null || given.isBlank()) {
            return SiteKey.DEFAULT_POOL;
        }
        if (given.length() > 100 || !given.strip().matches("[A-Za-z0-9._-]+")) {
            throw new ProblemException(Problem.invalid(List.of(new Problem.FieldError("pool",
                    "must be a pool name: letters, digits, '.', '_' or '-', at most 100"))));
        }
        return given.strip();
    }

    private void requireShaping() {
        if (!shaping.enabled()) {
            throw new ProblemException(Problem.of(409, "shaping-disabled", "Shaping is off",
                    "postwire.shaping.enabled is false in this process: sites are not shaped"));
        }
    }

    private static String reason(String given, String fallback) {
        if (given == null || given.isBlank()) {
            return fallback;
        }
        if (given.length() > 500) {
            throw new ProblemException(Problem.invalid(List.of(new Problem.FieldError("reason",
                    "must be at most 500 characters"))));
        }
        return given.strip();
    }

    private static Duration parse(String text) {
        Matcher m = SHORT.matcher(text.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
