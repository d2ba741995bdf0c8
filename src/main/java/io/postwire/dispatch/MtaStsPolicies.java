package io.postwire.dispatch;

import io.micrometer.core.instrument.MeterRegistry;
import io.postwire.mtasts.MtaStsResolver;
import io.postwire.mtasts.MtaStsSettings;
import io.postwire.mtasts.PolicyLookup;
import io.postwire.mtasts.TlsPolicy;
import io.postwire.mtasts.TlsReport;
import io.postwire.mx.DnsSettings;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.TrustOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The MTA-STS side of direct delivery: each recipient domain's policy ({@link MtaStsResolver},
 * cached by it), the trust anchors MX certificates are checked against, and the record of every
 * TLS outcome as {@code postwire_tls_reports_total{result,mode}} plus a log line, the material of
 * a later TLS-RPT (RFC 8460) report.
 */
@ApplicationScoped
public class MtaStsPolicies {

    private static final Logger LOG = Logger.getLogger(MtaStsPolicies.class);
    private static final PolicyLookup NONE = new PolicyLookup("", new TlsPolicy.None(),
            PolicyLookup.Source.NOT_PUBLISHED, Optional.empty());
    /**
     * How long "no policy" is believed for a domain. The resolver caches policies but not their
     * absence, which without this would cost a TXT query (or a failing HTTPS fetch) per message to
     * the large majority of domains that publish none. The same bound as the resolver's id
     * recheck: a newly published policy is obeyed within it.
     */
    private static final long NO_POLICY_NANOS = MtaStsSettings.DEFAULT_RECHECK_INTERVAL.toNanos();
    private static final int NO_POLICY_MAX_DOMAINS = 100_000;

    private final boolean enabled;
    private final Vertx vertx;
    private final Optional<String> dnsServers;
    private final MxConfig config;
    private final MeterRegistry registry;
    private volatile Optional<TrustOptions> trust;
    private volatile MtaStsResolver resolver;
    /** Domain → nanoTime until which it is known to have no usable policy; least recently used goes. */
    private final Map<String, Long> noPolicy = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > NO_POLICY_MAX_DOMAINS;
        }
    };

    MtaStsPolicies(MxConfig config, DnsConfig dns, Vertx vertx, MeterRegistry registry) {
        this.enabled = switch (config.mtaSts().strip().toLowerCase(Locale.ROOT)) {
            case "enforce-policies" -> true;
            case "off" -> false;
            default -> throw new IllegalStateException(
                    "postwire.mx.mta-sts must be enforce-policies or off: " + config.mtaSts());
        };
        this.config = config;
        this.vertx = vertx;
        this.dnsServers = dns.servers();
        this.registry = registry;
    }

    /** The policy for mail to {@code domain}; {@code None} when MTA-STS is off. Never fails. */
    Uni<PolicyLookup> lookup(String recipientDomain) {
        String domain = recipientDomain.toLowerCase(Locale.ROOT);
        if (!enabled || knownWithoutPolicy(domain)) {
            return Uni.createFrom().item(NONE);
        }
        return Uni.createFrom().completionStage(() -> resolver().lookup(domain).toCompletionStage())
                .invoke(l -> {
                    l.problem().ifPresent(this::record);
                    if (l.source() == PolicyLookup.Source.NOT_PUBLISHED
                            || l.source() == PolicyLookup.Source.FETCH_FAILED) {
                        synchronized (noPolicy) {
                            noPolicy.put(domain, System.nanoTime() + NO_POLICY_NANOS);
                        }
                    }
                });
    }

    private boolean knownWithoutPolicy(String domain) {
        synchronized (noPolicy) {
            Long until = noPolicy.get(domain);
            if (until == null) {
                return false;
            }
            if (until - System.nanoTime() > 0) {
                return true;
            }
            noPolicy.remove(domain);
            return false;
        }
    }

    /** Anchors for MX certificates under a policy; empty means the JVM's trust store. */
    Optional<TrustOptions> trust() {
        Optional<TrustOptions> t = trust;
        if (t == null) {
            t = loadTrust();
            trust = t;
        }
        return t;
    }

    /** Counts one TLS outcome and logs it: failures at INFO (an operator may act), success at DEBUG. */
    void record(TlsReport report) {
        registry.counter("postwire.tls.reports", "result", report.result().resultType(), "mode",
                report.policyMode()).increment();
        if (report.failed()) {
            LOG.infof("TLS %s for %s (mx %s, policy %s, tls used %s): %s", report.result().resultType(),
                    report.domain(), report.mxHost().orElse("-"), report.policyMode(), report.tlsUsed(),
                    report.detail());
        } else {
            LOG.debugf("TLS success for %s (mx %s, policy %s)", report.domain(), report.mxHost().orElse("-"),
                    report.policyMode());
        }
    }

    private Optional<TrustOptions> loadTrust() {
        if (config.tlsTrustStore().filter(p -> !p.isBlank()).isEmpty()) {
            return Optional.empty();
        }
        Path path = Path.of(config.tlsTrustStore().get().strip());
        if (!Files.isReadable(path)) {
            throw new IllegalStateException("postwire.mx.tls-trust-store: cannot read " + path);
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".p12") || name.endsWith(".pfx")) {
            return Optional.of(new PfxOptions().setPath(path.toString())
                    .setPassword(config.tlsTrustStorePassword().orElse("")));
        }
        return Optional.of(new PemTrustOptions().addCertPath(path.toString()));
    }

    private MtaStsResolver resolver() {
        MtaStsResolver r = resolver;
        if (r == null) {
            synchronized (this) {
                if (resolver == null) {
                    MtaStsSettings defaults = MtaStsSettings.defaults();
                    resolver = new MtaStsResolver(vertx, DnsSettings.parse(dnsServers.orElse(null)),
                            new MtaStsSettings(defaults.fetchTimeout(), defaults.maxPolicyBytes(),
                                    defaults.maxCachedDomains(), defaults.recheckInterval(),
                                    config.mtaStsPolicyPort(), trust()));
                }
                r = resolver;
            }
        }
        return r;
    }

    /** Fails the start on a bad mode, trust store or DNS list rather than at the first send. */
    void checkConfiguration() {
        if (enabled) {
            resolver();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (resolver != null) {
            resolver.close();
        }
    }
}
