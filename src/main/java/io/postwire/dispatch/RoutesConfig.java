package io.postwire.dispatch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Smarthost routes per recipient domain or site ({@code postwire.routes.<name>.*}): mail for the
 * listed domains, or for every domain of the listed MX-rollup sites, goes through that smarthost
 * even when the rest goes direct to MX. Each route takes every key of {@link SmarthostConfig}
 * (host, port, tls, trust-all, username, password, auth-mechanism, oauth.*, pool and timeouts).
 */
@ConfigMapping(prefix = "postwire.routes")
public interface RoutesConfig {

    /** The routes by name; the name makes the route's site, {@code route:<name>}. */
    @WithParentName
    Map<String, Route> routes();

    /** One route: which mail it takes and the smarthost it goes through. */
    interface Route extends SmarthostConfig {

        /** Recipient domains routed here, exact (case-insensitive), comma-separated. */
        Optional<List<String>> domains();

        /** MX-rollup sites routed here ({@code outlook}, {@code gmail}, a registrable domain). */
        Optional<List<String>> sites();
    }
}
