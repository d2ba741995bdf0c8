package io.postwire.mtasts;

import io.postwire.mx.DnsSettings;
import io.postwire.mx.DomainName;
import io.postwire.mx.RecordResolver;
import io.postwire.mx.TxtResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the MTA-STS policy of a recipient domain without blocking (RFC 8461 §3, §5.1): asks DNS
 * for the {@code _mta-sts} TXT record, fetches the policy when its id is new, caches it for its
 * {@code max_age}, and keeps applying an unexpired cached policy when DNS or the fetch fails, so
 * an attacker who blocks them cannot strip a known policy.
 *
 * <p>To bound DNS traffic a cached policy is used without a TXT query for
 * {@link MtaStsSettings#recheckInterval()}; after that the id is checked again and a changed id
 * refetches. Concurrent lookups of one domain share one discovery. No proactive refresh.
 *
 * <p>Thread-safe. Futures complete on the caller's Vert.x context and never fail for DNS or HTTP
 * outcomes. Call {@link #close()} when done.
 */
public final class MtaStsResolver implements AutoCloseable {

    private final Vertx vertx;
    private final RecordResolver dns;
    private final PolicyFetcher fetcher;
    private final PolicyCache cache;
    private final MtaStsSettings settings;
    private final ConcurrentHashMap<String, Future<PolicyLookup>> inFlight = new ConcurrentHashMap<>();

    public MtaStsResolver(Vertx vertx, DnsSettings dnsSettings, MtaStsSettings settings) {
        this(vertx, dnsSettings, settings, InstantSource.system());
    }

    /** With the clock that ages cached policies. */
    MtaStsResolver(Vertx vertx, DnsSettings dnsSettings, MtaStsSettings settings, InstantSource clock) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.dns = new RecordResolver(vertx, Objects.requireNonNull(dnsSettings, "dnsSettings"));
        this.fetcher = new PolicyFetcher(vertx, settings, dns::resolveAddresses);
        this.cache = new PolicyCache(settings.maxCachedDomains(), clock);
    }

    /** The policy the dispatcher applies to mail for {@code recipientDomain}. */
    public Future<TlsPolicy> policyFor(String recipientDomain) {
        return lookup(recipientDomain).map(PolicyLookup::policy);
    }

    /** The policy with its source and any policy problem to record. Never fails. */
    public Future<PolicyLookup> lookup(String recipientDomain) {
        Optional<String> ascii = ascii(recipientDomain);
        if (ascii.isEmpty()) {
            return Future.succeededFuture(new PolicyLookup(String.valueOf(recipientDomain), new TlsPolicy.None(),
                    PolicyLookup.Source.NOT_PUBLISHED, Optional.empty()));
        }
        String domain = ascii.get();
        PolicyCache.Entry cached = cache.get(domain);
        if (cached != null && cache.fresh(cached, settings.recheckInterval())) {
            return Future.succeededFuture(fromCache(domain, cached, PolicyLookup.Source.CACHED, Optional.empty()));
        }
        Context caller = Vertx.currentContext() != null ? Vertx.currentContext() : vertx.getOrCreateContext();
        Promise<PolicyLookup> result = Promise.promise();
        shared(domain).onComplete(done -> caller.runOnContext(v -> result.handle(done)));
        return result.future();
    }

    private Future<PolicyLookup> shared(String domain) {
        Promise<PolicyLookup> mine = Promise.promise();
        Future<PolicyLookup> running = inFlight.putIfAbsent(domain, mine.future());
        if (running != null) {
            return running;
        }
        discover(domain).onComplete(done -> {
            inFlight.remove(domain, mine.future());
            mine.handle(done);
        });
        return mine.future();
    }

    private Future<PolicyLookup> discover(String domain) {
        return dns.resolveTxt("_mta-sts." + domain).compose(txt -> {
            PolicyCache.Entry cached = cache.get(domain);
            Optional<StsRecord> record = txt instanceof TxtResult.Found found
                    ? StsRecord.select(found.texts()) : Optional.empty();
            if (record.isEmpty()) {
                // No live record (none, not exactly one valid, or DNS failed): §5.1 keeps a cached policy.
                return Future.succeededFuture(cached != null
                        ? fromCache(domain, cached, PolicyLookup.Source.CACHED_FALLBACK, Optional.empty())
                        : new PolicyLookup(domain, new TlsPolicy.None(), PolicyLookup.Source.NOT_PUBLISHED,
                                Optional.empty()));
            }
            String id = record.get().id();
            if (cached != null && cached.id().equals(id)) {
                cache.confirmed(domain);
                return Future.succeededFuture(fromCache(domain, cached, PolicyLookup.Source.CACHED, Optional.empty()));
            }
            return fetcher.fetch(domain).map(fetch -> fetched(domain, id, cached, fetch));
        });
    }

    private PolicyLookup fetched(String domain, String id, PolicyCache.Entry cached, PolicyFetch fetch) {
        if (fetch instanceof PolicyFetch.Fetched ok) {
            cache.put(domain, id, ok.policy());
            return new PolicyLookup(domain, ok.policy().toTlsPolicy(), PolicyLookup.Source.FETCHED, Optional.empty());
        }
        PolicyFetch.Failed failed = (PolicyFetch.Failed) fetch;
        if (cached != null) {
            TlsPolicy policy = cached.policy().toTlsPolicy();
            return fromCache(domain, cached, PolicyLookup.Source.CACHED_FALLBACK, Optional.of(
                    TlsReport.policyFailure(domain, policy.mode(), failed.result(), failed.reason())));
        }
        return new PolicyLookup(domain, new TlsPolicy.None(), PolicyLookup.Source.FETCH_FAILED, Optional.of(
                TlsReport.policyFailure(domain, "none", failed.result(), failed.reason())));
    }

    private static PolicyLookup fromCache(String domain, PolicyCache.Entry entry, PolicyLookup.Source source,
            Optional<TlsReport> problem) {
        return new PolicyLookup(domain, entry.policy().toTlsPolicy(), source, problem);
    }

    /**
     * The domain's lower-case ASCII form, as MX resolution uses it; short enough that
     * {@code _mta-sts.} and {@code mta-sts.} in front still make a valid name.
     */
    static Optional<String> ascii(String domain) {
        return DomainName.ascii(domain).filter(name -> name.length() <= 240);
    }

    /** How many domains have a cached policy (for tests and metrics). */
    public int cachedDomains() {
        return cache.size();
    }

    @Override
    public void close() {
        fetcher.close();
        dns.close();
    }
}
