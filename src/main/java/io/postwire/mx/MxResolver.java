package io.postwire.mx;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the mail hosts of a recipient domain without blocking: MX records in preference order
 * with their A/AAAA addresses, the implicit MX, RFC 7505 null MX, and which failures are
 * permanent (see {@link MxResult} and {@link MxLookup} for the rules).
 *
 * <p>Answers are cached per domain for their DNS TTL, capped at {@link DnsSettings#maxTtl()};
 * negative answers too (RFC 2308); temporary failures never. Concurrent resolves of one domain
 * share one lookup. Equal-preference hosts are shuffled on every call, cached or not.
 *
 * <p>Thread-safe. Each future completes on the caller's Vert.x context (or on an event-loop
 * context when called from elsewhere), never on the DNS thread, so slow continuations cannot
 * hold up other lookups. Call {@link #close()} when done.
 */
public final class MxResolver implements AutoCloseable {

    private final Vertx vertx;
    private final DnsTransport transport;
    private final MxLookup lookup;
    private final MxCache cache;
    private final Random random;
    private final ConcurrentHashMap<String, Future<MxResult>> inFlight = new ConcurrentHashMap<>();

    public MxResolver(Vertx vertx, DnsSettings settings) {
        this(vertx, settings, InstantSource.system(), new Random());
    }

    /** With the clock that ages the cache and the randomness that orders equal preferences. */
    MxResolver(Vertx vertx, DnsSettings settings, InstantSource clock, Random random) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.transport = new DnsTransport(Objects.requireNonNull(settings, "settings"));
        this.lookup = new MxLookup(transport, settings);
        this.cache = new MxCache(settings.maxCachedDomains(), clock);
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Resolves where mail for {@code domain} goes. The name may be in Unicode (it is converted
     * to its ASCII form) and may end with a dot. The future never fails for DNS outcomes.
     */
    public Future<MxResult> resolve(String domain) {
        String name = DomainName.ascii(domain).orElse(null);
        if (name == null) {
            return Future.succeededFuture(new MxResult.NoSuchDomain());
        }
        MxResult cached = cache.get(name);
        if (cached != null) {
            return Future.succeededFuture(arrange(cached));
        }
        Context caller = Vertx.currentContext() != null ? Vertx.currentContext() : vertx.getOrCreateContext();
        Promise<MxResult> result = Promise.promise();
        shared(name).onComplete(done -> caller.runOnContext(v -> result.handle(arranged(done))));
        return result.future();
    }

    /** The lookup already running for this domain, or a new one that fills the cache when done. */
    private Future<MxResult> shared(String name) {
        Promise<MxResult> mine = Promise.promise();
        Future<MxResult> running = inFlight.putIfAbsent(name, mine.future());
        if (running != null) {
            return running;
        }
        lookup.lookup(name).onComplete(done -> {
            if (done.succeeded()) {
                cache.put(name, done.result().result(), done.result().ttl());
            }
            inFlight.remove(name, mine.future());
            mine.handle(done.map(MxLookup.Resolved::result));
        });
        return mine.future();
    }

    private AsyncResult<MxResult> arranged(AsyncResult<MxResult> done) {
        return done.map(this::arrange);
    }

    private MxResult arrange(MxResult result) {
        if (result instanceof MxResult.Hosts) {
            MxResult.Hosts hosts = (MxResult.Hosts) result;
            List<MxHost> ordered = MxOrder.arrange(hosts.hosts(), random);
            return new MxResult.Hosts(ordered, hosts.implicit());
        }
        return result;
    }

    /** How many domains the cache holds now (for tests and metrics). */
    public int cachedDomains() {
        return cache.size();
    }

    @Override
    public void close() {
        transport.close();
    }
}
