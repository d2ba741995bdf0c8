package io.postwire.dispatch;

import io.postwire.mx.DomainName;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The per-domain smarthost routes ({@code postwire.routes.<name>.*}): which route, if any, takes
 * mail for a recipient domain, by the domain itself or by its MX-rollup site. A domain or site
 * claimed by two routes is a configuration error, found at start-up rather than decided by the
 * order of a map.
 */
@ApplicationScoped
public class SmarthostRoutes {

    /** Prefix of a routed send's site, so shaping and the site API see one site per route. */
    static final String SITE_PREFIX = "route:";

    /** A configured route: its name, its site ({@code route:<name>}) and its smarthost. */
    record Route(String name, String site, Smarthost smarthost) {
    }

    private final Map<String, Route> byDomain = new HashMap<>();
    private final Map<String, Route> bySite = new HashMap<>();
    private final List<Route> all;

    SmarthostRoutes(RoutesConfig config, DispatchConfig dispatch, Vertx vertx) {
        List<Route> routes = new java.util.ArrayList<>();
        config.routes().forEach((name, r) -> {
            String prefix = "postwire.routes." + name;
            Route route = new Route(name, SITE_PREFIX + name, new Smarthost(prefix, r, dispatch.heloName(), vertx));
            routes.add(route);
            List<String> domains = r.domains().orElse(List.of());
            List<String> sites = r.sites().orElse(List.of());
            if (domains.isEmpty() && sites.isEmpty()) {
                throw new IllegalStateException(prefix + " takes no mail: set " + prefix + ".domains or .sites");
            }
            for (String d : domains) {
                String domain = DomainName.ascii(d.strip()).orElseThrow(() -> new IllegalStateException(
                        prefix + ".domains: not a domain name: " + d));
                claim(byDomain, domain, route, "domain");
            }
            for (String s : sites) {
                claim(bySite, s.strip().toLowerCase(Locale.ROOT), route, "site");
            }
        });
        this.all = List.copyOf(routes);
    }

    private static void claim(Map<String, Route> claims, String key, Route route, String what) {
        Route other = claims.putIfAbsent(key, route);
        if (other != null && other != route) {
            throw new IllegalStateException(what + " " + key + " is claimed by two routes, postwire.routes."
                    + other.name() + " and postwire.routes." + route.name());
        }
    }

    /** The route that takes every recipient of {@code domain}, whatever its MX. */
    Optional<Route> forDomain(String domain) {
        return byDomain.isEmpty() ? Optional.empty()
                : DomainName.ascii(domain).map(byDomain::get);
    }

    /** The route that takes the domains of an MX-rollup site. */
    Optional<Route> forSite(String site) {
        return bySite.isEmpty() ? Optional.empty() : Optional.ofNullable(bySite.get(site.toLowerCase(Locale.ROOT)));
    }

    boolean isEmpty() {
        return all.isEmpty();
    }

    /** Builds every route's target so a wrong setting stops the start, not the first send. */
    void checkConfiguration() {
        all.forEach(r -> r.smarthost().target());
    }

    void stop(@Observes ShutdownEvent event) {
        all.forEach(r -> r.smarthost().close());
    }
}
