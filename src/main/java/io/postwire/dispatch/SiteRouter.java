package io.postwire.dispatch;

import io.postwire.bus.AtomicPublisher;
import io.postwire.bus.SendKeys;
import io.postwire.bus.Topics;
import io.postwire.event.EventEnvelope;
import io.postwire.event.SendRequested;
import io.postwire.mx.DnsSettings;
import io.postwire.mx.MxResolver;
import io.postwire.mx.MxResult;
import io.postwire.mx.SiteNamer;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Names the delivery site of a recipient domain, the record key of its sends: the MX rollup of
 * {@link SiteNamer} when mail goes direct to MX, the recipient domain when a relay takes all mail
 * (the relay's peers are not ours to shape) or when the DNS gives no hosts, and {@code route:<name>}
 * when a per-domain smarthost route ({@link SmarthostRoutes}) claims the domain or its MX site. Ingest keys sends with
 * it, so one dispatcher owns a site; the dispatcher resolves again (cached) to route each send.
 *
 * <p>The MX lookups are {@link MxResolver}'s, cached for their TTL, so keying and routing share
 * one answer per domain most of the time.
 */
@ApplicationScoped
public class SiteRouter {

    /**
     * A resolved domain: the site, what the DNS said when it was asked (direct delivery, or a route
     * by site), and the smarthost route that takes the mail, if one does.
     */
    public record Resolution(String site, Optional<MxResult> mx, Optional<SmarthostRoutes.Route> route) {

        public Resolution(String site, Optional<MxResult> mx) {
            this(site, mx, Optional.empty());
        }

        /**
         * True when the site is settled, so a record keyed otherwise may be moved to it: a route
         * (configuration), or a site named from MX hosts. A DNS failure falls back to the domain,
         * and moving on that would bounce records between two keys.
         */
        public boolean definite() {
            return route.isPresent() || mx.filter(m -> m instanceof MxResult.Hosts).isPresent();
        }
    }

    private final boolean relayed;
    private final SmarthostRoutes routes;
    private final Vertx vertx;
    private final Optional<String> dnsServers;
    private final SiteNamer namer = SiteNamer.withPresets();
    private volatile MxResolver resolver;

    private final java.time.Duration keyLookupTimeout;

    SiteRouter(RelayConfig relay, SmarthostRoutes routes, Vertx vertx, DnsConfig dns, MxConfig mx) {
        this.relayed = relay.host().filter(h -> !h.isBlank()).isPresent();
        this.routes = routes;
        this.vertx = vertx;
        this.dnsServers = dns.servers();
        this.keyLookupTimeout = mx.keyLookupTimeout();
    }

    /**
     * The send topic records of one accepted request, each keyed by its recipient's site; the one
     * place both ingest doors (REST and SMTP submission) get their keys from.
     */
    public Uni<List<AtomicPublisher.Keyed>> sendRecords(List<SendRequested> sends, String source, Instant now) {
        return sitesOf(sends.stream().map(SendRequested::recipientDomain).toList(), keyLookupTimeout)
                .map(keys -> sends.stream()
                        .map(s -> new AtomicPublisher.Keyed(Topics.SEND,
                                keys.getOrDefault(s.recipientDomain(), SendKeys.siteKey(s)),
                                EventEnvelope.of(source, now, s)))
                        .toList());
    }

    /** True when every send goes through the configured smarthost. */
    public boolean relayed() {
        return relayed;
    }

    /** Where mail for the domain goes now. Never fails for DNS outcomes. */
    public Uni<Resolution> resolve(String recipientDomain) {
        String domain = recipientDomain.toLowerCase(Locale.ROOT);
        if (relayed) {
            return Uni.createFrom().item(new Resolution(domain, Optional.empty()));
        }
        Optional<SmarthostRoutes.Route> byDomain = routes.forDomain(domain);
        if (byDomain.isPresent()) {
            return Uni.createFrom().item(new Resolution(byDomain.get().site(), Optional.empty(), byDomain));
        }
        return Uni.createFrom().completionStage(() -> resolver().resolve(domain).toCompletionStage())
                .map(mx -> routed(domain, mx));
    }

    /** The MX site of a domain, or the route that claims that site. */
    private Resolution routed(String domain, MxResult mx) {
        String site = namer.site(domain, mx);
        Optional<SmarthostRoutes.Route> bySite = mx instanceof MxResult.Hosts ? routes.forSite(site)
                : Optional.empty();
        return bySite.map(r -> new Resolution(r.site(), Optional.of(mx), bySite))
                .orElseGet(() -> new Resolution(site, Optional.of(mx)));
    }

    /** The site of one domain, as a Vert.x future (for the SMTP submission door). */
    public Future<String> siteOf(String recipientDomain) {
        String domain = recipientDomain.toLowerCase(Locale.ROOT);
        if (relayed) {
            return Future.succeededFuture(domain);
        }
        Optional<SmarthostRoutes.Route> byDomain = routes.forDomain(domain);
        if (byDomain.isPresent()) {
            return Future.succeededFuture(byDomain.get().site());
        }
        return resolver().resolve(domain).map(mx -> routed(domain, mx).site()).otherwise(domain);
    }

    /**
     * The sites of several domains, each falling back to the domain itself when its lookup fails or
     * is slower than {@code timeout}: a key is an optimisation (the dispatcher re-keys a record that
     * reaches the wrong owner), never a reason to refuse a message.
     */
    public Uni<Map<String, String>> sitesOf(Collection<String> recipientDomains, java.time.Duration timeout) {
        Map<String, Uni<String>> lookups = new LinkedHashMap<>();
        for (String d : recipientDomains) {
            String domain = d.toLowerCase(Locale.ROOT);
            lookups.computeIfAbsent(domain, k -> resolve(k).map(Resolution::site)
                    .ifNoItem().after(timeout).recoverWithItem(k)
                    .onFailure().recoverWithItem(k));
        }
        if (lookups.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        var domains = lookups.keySet().stream().toList();
        return Uni.combine().all().unis(lookups.values().stream().toList()).with(sites -> {
            Map<String, String> out = new LinkedHashMap<>();
            for (int i = 0; i < domains.size(); i++) {
                out.put(domains.get(i), (String) sites.get(i));
            }
            return out;
        });
    }

    private MxResolver resolver() {
        MxResolver r = resolver;
        if (r == null) {
            synchronized (this) {
                if (resolver == null) {
                    resolver = new MxResolver(vertx, DnsSettings.parse(dnsServers.orElse(null)));
                }
                r = resolver;
            }
        }
        return r;
    }

    /** Fails the start on a bad DNS server list rather than the first send. */
    void checkConfiguration() {
        if (!relayed) {
            resolver();
            routes.checkConfiguration();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (resolver != null) {
            resolver.close();
        }
    }
}
