package io.postwire.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.smtp.RelayTarget;
import io.postwire.smtp.TlsMode;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code postwire.routes.<name>.*} as SmallRye maps it and {@link SmarthostRoutes} reads it: which
 * route takes a domain or a site, and the start-up errors for routes that cannot work.
 */
class SmarthostRoutesTest {

    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close();
    }

    @Test
    void findsTheRouteByDomainOrSiteAndNamesItsSite() {
        SmarthostRoutes routes = routes(Map.of(
                "postwire.routes.partner.domains", "a.example, B.Example.",
                "postwire.routes.partner.host", "smtp.partner.example",
                "postwire.routes.partner.port", "587",
                "postwire.routes.partner.tls", "REQUIRED",
                "postwire.routes.partner.username", "u",
                "postwire.routes.partner.password", "p",
                "postwire.routes.partner.auth-mechanism", "login",
                "postwire.routes.ms.sites", "outlook",
                "postwire.routes.ms.host", "smtp.office365.com"));
        assertEquals("route:partner", routes.forDomain("A.EXAMPLE").orElseThrow().site());
        assertEquals("route:partner", routes.forDomain("b.example").orElseThrow().site());
        assertEquals(Optional.empty(), routes.forDomain("c.example"));
        assertEquals(Optional.empty(), routes.forDomain("sub.a.example"), "domains match exactly");
        assertEquals("route:ms", routes.forSite("Outlook").orElseThrow().site());
        assertEquals(Optional.empty(), routes.forSite("gmail"));

        RelayTarget partner = routes.forDomain("a.example").orElseThrow().smarthost().target();
        assertEquals("smtp.partner.example", partner.host());
        assertEquals(587, partner.port());
        assertEquals(TlsMode.REQUIRED, partner.tlsMode());
        assertTrue(partner.credentials().isPresent());
        RelayTarget ms = routes.forSite("outlook").orElseThrow().smarthost().target();
        assertEquals(25, ms.port(), "the relay's defaults apply to routes");
        assertEquals(TlsMode.OPTIONAL, ms.tlsMode());
        routes.checkConfiguration();
    }

    @Test
    void noRoutesIsFine() {
        SmarthostRoutes routes = routes(Map.of());
        assertTrue(routes.isEmpty());
        assertEquals(Optional.empty(), routes.forDomain("a.example"));
    }

    @Test
    void aDomainClaimedTwiceStopsTheStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> routes(Map.of(
                "postwire.routes.one.domains", "a.example",
                "postwire.routes.one.host", "h1",
                "postwire.routes.two.domains", "b.example,A.example",
                "postwire.routes.two.host", "h2")));
        assertTrue(e.getMessage().contains("a.example") && e.getMessage().contains("claimed by two routes"),
                e.getMessage());
    }

    @Test
    void aRouteThatTakesNoMailOrHasNoHostStopsTheStart() {
        IllegalStateException idle = assertThrows(IllegalStateException.class,
                () -> routes(Map.of("postwire.routes.idle.host", "h")));
        assertTrue(idle.getMessage().contains("postwire.routes.idle"), idle.getMessage());
        SmarthostRoutes noHost = routes(Map.of("postwire.routes.nohost.domains", "a.example",
                "postwire.routes.nohost.port", "587"));
        IllegalStateException e = assertThrows(IllegalStateException.class, noHost::checkConfiguration);
        assertEquals("postwire.routes.nohost.host is not set", e.getMessage());
    }

    @Test
    void aPasswordNextToXoauth2IsRefusedNamingTheRoutesKeys() {
        SmarthostRoutes routes = routes(Map.of(
                "postwire.routes.m365.domains", "a.example",
                "postwire.routes.m365.host", "smtp.office365.com",
                "postwire.routes.m365.username", "sender@a.example",
                "postwire.routes.m365.password", "oops",
                "postwire.routes.m365.oauth.token-url", "https://login.example/token",
                "postwire.routes.m365.oauth.client-id", "id"));
        IllegalStateException e = assertThrows(IllegalStateException.class, routes::checkConfiguration);
        assertTrue(e.getMessage().startsWith("postwire.routes.m365.password and postwire.routes.m365.oauth.token-url"),
                e.getMessage());
    }

    private static SmarthostRoutes routes(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>(properties);
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(all, "test", 100))
                .withMapping(RoutesConfig.class)
                .withMapping(DispatchConfig.class)
                .build();
        return new SmarthostRoutes(config.getConfigMapping(RoutesConfig.class),
                config.getConfigMapping(DispatchConfig.class), vertx);
    }
}
