package io.postwire.dispatch;

import io.postwire.bounce.BounceClassifier;
import io.postwire.bus.EventPublisher;
import io.postwire.bus.Topics;
import io.postwire.dkim.DkimSigners;
import io.postwire.event.BounceClass;
import io.postwire.event.Bounced;
import io.postwire.event.Deferred;
import io.postwire.event.Delivered;
import io.postwire.event.EventEnvelope;
import io.postwire.event.Expired;
import io.postwire.event.PostwireEvent;
import io.postwire.event.Rejected;
import io.postwire.event.RetryScheduled;
import io.postwire.event.SendRequested;
import io.postwire.event.SmtpReply;
import io.postwire.bus.SendKeys;
import io.postwire.feedback.BounceAddresses;
import io.postwire.mx.MxResult;
import io.postwire.shaping.SiteKey;
import io.postwire.shaping.SiteSnapshot;
import io.postwire.smtp.RecipientResult;
import io.postwire.smtp.SmtpEnvelope;
import io.postwire.smtp.SmtpResult;
import io.postwire.smtp.TlsMode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * One delivery attempt of one send, from expiry and suppression checks to the recorded outcome:
 * Delivered, Bounced, Rejected, Expired, or Deferred plus the RetryScheduled that brings it back,
 * or, when its site cannot take it soon, a RetryScheduled alone that parks it. The route is the
 * relay when one is configured, else a per-domain smarthost route when one claims the domain,
 * else the recipient domain's mail exchangers under its MTA-STS policy; both shaped per site.
 * The returned Uni completes only when those events are acknowledged by Kafka.
 */
@ApplicationScoped
public class DeliveryAttempt {

    static final String SOURCE = "postwire/dispatch";

    private final EventPublisher publisher;
    private final SuppressionCheck suppression;
    private final DkimSigners signers;
    private final RelayRoute relay;
    private final SiteRouter router;
    private final SiteShaping shaping;
    private final MxDelivery mx;
    private final MtaStsPolicies sts;
    private final MxConfig mxConfig;
    private final RetrySchedule retry;
    private final DeliveryMetrics metrics;
    private final BounceAddresses bounces;
    private final SendingPools pools;
    /** {@code postwire.mx.tls} and {@code postwire.mx.domain-tls}, parsed once. */
    private final TlsMode defaultTls;
    private final Map<String, TlsMode> domainTls;
    private final MessageRenderer renderer = new MessageRenderer();
    private final Clock clock = Clock.systemUTC();
    /** Rendering and RSA signing are CPU work: keep them off the event loop, on every core. */
    private final ExecutorService cpu = Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
                Thread t = new Thread(r, "postwire-sign");
                t.setDaemon(true);
                return t;
            });

    DeliveryAttempt(EventPublisher publisher, SuppressionCheck suppression, DkimSigners signers, RelayRoute relay,
            SiteRouter router, SiteShaping shaping, MxClients clients, MxConfig mxConfig, DispatchConfig config,
            DeliveryMetrics metrics, BounceAddresses bounces, MtaStsPolicies sts, SendingPools pools) {
        this.publisher = publisher;
        this.suppression = suppression;
        this.signers = signers;
        this.relay = relay;
        this.router = router;
        this.shaping = shaping;
        this.mx = new MxDelivery(clients, mxConfig, config.heloName(), sts);
        this.sts = sts;
        this.mxConfig = mxConfig;
        this.retry = RetrySchedule.from(config);
        this.metrics = metrics;
        this.bounces = bounces;
        this.pools = pools;
        this.defaultTls = tlsMode("postwire.mx.tls", mxConfig.tls());
        Map<String, TlsMode> perDomain = new HashMap<>();
        mxConfig.domainTls().forEach((domain, mode) -> perDomain.put(domain.toLowerCase(Locale.ROOT),
                tlsMode("postwire.mx.domain-tls.\"" + domain + "\"", mode)));
        this.domainTls = Map.copyOf(perDomain);
    }

    /** Touches the route and signing configuration so that a mistake stops the start. */
    void checkConfiguration() {
        if (router.relayed()) {
            relay.target();
        } else {
            router.checkConfiguration();
            pools.defaultPool();
            sts.checkConfiguration();
        }
        signers.forSenderDomain("check.invalid");
    }

    /** An attempt whose route is resolved already (the dispatcher needs the site to check the key). */
    public Uni<Void> run(SendRequested s, int attempt, SiteRouter.Resolution route) {
        Instant now = clock.instant();
        Instant expiresAt = retry.expiresAt(s);
        if (!now.isBefore(expiresAt)) {
            return record(new Expired(s.messageId(), s.recipientId(), s.sender(), s.recipient(), attempt - 1, null,
                    "expired before attempt " + attempt, s.requestedAt()));
        }
        return suppression.isSuppressed(s.recipient()).chain(suppressed -> suppressed
                ? record(new Rejected(s.messageId(), s.recipientId(), s.sender(), s.recipient(),
                        Rejected.Reason.SUPPRESSED, "recipient is on the suppression list"))
                : route(s, attempt, expiresAt, route));
    }

    private Uni<Void> route(SendRequested s, int attempt, Instant expiresAt, SiteRouter.Resolution route) {
        String site = route.site();
        if (route.route().isPresent()) {
            Smarthost smarthost = route.route().get().smarthost();
            // A smarthost sees one client whatever the pool: its limits are per route, not per pool.
            return shaped(s, attempt, expiresAt, SiteKey.of(site), message -> smarthost.client().send(envelope(s),
                    message));
        }
        if (route.mx().isEmpty()) {
            return signed(s).chain(built -> built.bytes() == null ? rejectedInvalid(s, built)
                    : relay.client().send(envelope(s), Buffer.buffer(built.bytes()))
                            .chain(result -> outcome(s, attempt, expiresAt, result, SiteKey.of(site), false)));
        }
        MxResult dns = route.mx().get();
        if (dns instanceof MxResult.NullMx) {
            return bounce(s, attempt, new SmtpReply(556, "5.1.10", "recipient domain "
                    + s.recipientDomain() + " accepts no mail (null MX, RFC 7505)"), BounceClass.BAD_DOMAIN);
        }
        if (dns instanceof MxResult.NoSuchDomain) {
            return bounce(s, attempt, new SmtpReply(550, "5.1.2", "recipient domain " + s.recipientDomain()
                    + " does not exist"), BounceClass.BAD_DOMAIN);
        }
        if (dns instanceof MxResult.Unroutable u) {
            SmtpReply reply = new SmtpReply(550, "5.4.4", "unable to route to " + s.recipientDomain() + ": "
                    + u.reason());
            return bounce(s, attempt, reply, BounceClassifier.classify(reply));
        }
        if (dns instanceof MxResult.TemporaryFailure t) {
            return defer(s, attempt, expiresAt, null, "DNS lookup of " + s.recipientDomain() + " failed: "
                    + t.reason(), null, FailureKind.NETWORK, site);
        }
        return direct(s, attempt, expiresAt, site, (MxResult.Hosts) dns);
    }

    /**
     * Direct to MX, under the domain's MTA-STS policy: when enforce leaves no exchanger the send is
     * deferred (RFC 8461 §5.1: never bounced for a policy), else it goes out as {@link #shaped}.
     */
    private Uni<Void> direct(SendRequested s, int attempt, Instant expiresAt, String site, MxResult.Hosts hosts) {
        return sts.lookup(s.recipientDomain()).chain(lookup -> {
            MxDelivery.Plan plan = mx.plan(s.recipientDomain(), hosts.hosts(), lookup.policy());
            if (plan.hops().isEmpty()) {
                return defer(s, attempt, expiresAt, null, "no MX host of " + s.recipientDomain()
                        + " matches its MTA-STS policy " + lookup.policy(), null, FailureKind.TLS_POLICY, site);
            }
            SendingPools.Pool pool = pools.forSend(s);
            SiteKey key = new SiteKey(pool.name(), site);
            return shaped(s, attempt, expiresAt, key, message -> mx.send(plan, policy(key, s.recipientDomain(), pool),
                    envelope(s), message));
        });
    }

    /**
     * The site's admission, the message, a connection slot, then {@code send}: to the exchangers in
     * order, or through a route's smarthost (whose site is {@code route:<name>}).
     */
    private Uni<Void> shaped(SendRequested s, int attempt, Instant expiresAt, SiteKey key,
            Function<Buffer, Uni<SmtpResult>> send) {
        String site = key.site();
        return shaping.admit(key, s.requestedAt()).chain(admit -> {
            if (admit instanceof SiteShaping.Park park) {
                return parked(s, attempt, expiresAt, park, site);
            }
            return signed(s).chain(built -> {
                if (built.bytes() == null) {
                    return rejectedInvalid(s, built);
                }
                return shaping.connection(key, s.requestedAt()).chain(lease -> send
                        .apply(Buffer.buffer(built.bytes()))
                        .invoke(result -> lease.release(result.recipients().get(0).reply() != null))
                        .onFailure().invoke(() -> lease.release(false)))
                        .chain(result -> {
                            RecipientResult r = result.recipients().get(0);
                            shaping.observe(key, r.reply(), r.reply() == null);
                            return outcome(s, attempt, expiresAt, result, key, true);
                        });
            });
        });
    }

    private MxDelivery.Policy policy(SiteKey key, String domain, SendingPools.Pool pool) {
        TlsMode tls = tlsFor(domain);
        if (shaping.enabled()) {
            var limits = shaping.limits(key);
            return new MxDelivery.Policy(tls, limits.maxConnections(), limits.messagesPerConnection(), pool);
        }
        return new MxDelivery.Policy(tls, mxConfig.maxConnections(), mxConfig.maxMessagesPerConnection(), pool);
    }

    /** {@code postwire.mx.domain-tls} for the domain, else {@code postwire.mx.tls}. */
    private TlsMode tlsFor(String domain) {
        return domainTls.getOrDefault(domain, defaultTls);
    }

    private static TlsMode tlsMode(String key, String mode) {
        try {
            return TlsMode.valueOf(mode.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " must be off, optional, required or verified, was '" + mode + "'");
        }
    }

    /**
     * The site cannot take the send soon: it goes back to the retry topic, same attempt number, due
     * when the site can take it (or when it expires, to be recorded Expired then), and its offset
     * is committed, so a waiting site holds neither consumer capacity nor other sites' commits.
     */
    private Uni<Void> parked(SendRequested s, int attempt, Instant expiresAt, SiteShaping.Park park, String site) {
        Instant due = park.until().isAfter(expiresAt) ? expiresAt : park.until();
        metrics.parked();
        Instant now = clock.instant();
        return publish(Topics.retryTopicFor(Duration.between(now, due)), site, EventEnvelope.of(SOURCE, now,
                new RetryScheduled(s, attempt, due)));
    }

    /** The signed message, or why the content cannot become one. */
    private record Built(byte[] bytes, String error) {
    }

    /**
     * Renders and signs on the CPU pool. Content that cannot become a message is an outcome
     * (Rejected, not retried); any other failure is a fault and fails the attempt (retried).
     */
    private Uni<Built> signed(SendRequested s) {
        Context context = Vertx.currentContext();
        return Uni.createFrom().item(() -> new Built(sign(s), null))
                .runSubscriptionOn(cpu)
                .emitOn(task -> context.runOnContext(v -> task.run()))
                .onFailure(IllegalArgumentException.class).recoverWithItem(e -> new Built(null, e.getMessage()));
    }

    private Uni<Void> rejectedInvalid(SendRequested s, Built built) {
        return record(new Rejected(s.messageId(), s.recipientId(), s.sender(), s.recipient(),
                Rejected.Reason.INVALID, "cannot build message: " + built.error()));
    }

    /** The return path names the send (signed VERP), so a bounce that comes back by mail finds its story. */
    private SmtpEnvelope envelope(SendRequested s) {
        return new SmtpEnvelope(bounces.returnPath(s.recipientId(), s.sender()), List.of(s.recipient()));
    }

    private byte[] sign(SendRequested s) {
        byte[] message = renderer.render(s);
        return signers.forSenderDomain(s.senderDomain())
                .map(signer -> signer.sign(message, clock.instant()))
                .orElseGet(() -> {
                    metrics.unsigned();
                    return message;
                });
    }

    private Uni<Void> outcome(SendRequested s, int attempt, Instant expiresAt, SmtpResult result, SiteKey key,
            boolean shaped) {
        RecipientResult r = result.recipients().get(0);
        SmtpReply reply = r.reply();
        if (reply != null && reply.isPositive()) {
            metrics.deliveredAfter(Duration.between(s.requestedAt(), clock.instant()));
            return record(new Delivered(s.messageId(), s.recipientId(), s.sender(), s.recipient(), attempt, reply,
                    result.remoteHost(), result.tlsUsed(), s.requestedAt()));
        }
        // A 5xx greeting refuses us, not the recipient: deferred (with the greeting as its reply),
        // as Postfix's smtp_skip_5xx_greeting does; the site's backoff rules have seen the reply.
        if (reply != null && reply.isPermanent() && !r.atGreeting()) {
            return record(new Bounced(s.messageId(), s.recipientId(), s.sender(), s.recipient(), attempt, reply,
                    result.remoteHost(), BounceClassifier.classify(reply)));
        }
        return defer(s, attempt, expiresAt, reply, r.failure(), result.remoteHost(), kind(result, key, shaped), key.site());
    }

    /** A 4xx while the site is throttled or suspended counts as throttling: the site asked us to slow down. */
    private FailureKind kind(SmtpResult result, SiteKey key, boolean shaped) {
        if (result.tlsFailure().isPresent()) {
            return FailureKind.TLS_POLICY;
        }
        if (result.recipients().get(0).reply() == null) {
            return FailureKind.NETWORK;
        }
        boolean slowed = shaped && shaping.snapshot(key).map(x -> x.state() != SiteSnapshot.State.ACTIVE)
                .orElse(false);
        return slowed ? FailureKind.THROTTLED : FailureKind.REPLY_4XX;
    }

    private Uni<Void> defer(SendRequested s, int attempt, Instant expiresAt, SmtpReply reply, String failure,
            String remoteHost, FailureKind kind, String site) {
        Optional<Instant> next = retry.nextAttempt(kind, attempt, clock.instant(), expiresAt,
                ThreadLocalRandom.current());
        if (next.isEmpty()) {
            return record(new Expired(s.messageId(), s.recipientId(), s.sender(), s.recipient(), attempt, reply,
                    reply == null ? failure : null, s.requestedAt()));
        }
        Deferred deferred = new Deferred(s.messageId(), s.recipientId(), s.sender(), s.recipient(), attempt, reply,
                reply == null ? failure : null, remoteHost, next.get());
        RetryScheduled again = new RetryScheduled(s, attempt + 1, next.get());
        Instant now = clock.instant();
        // Both must be on Kafka before the send's offset may be committed.
        return Uni.combine().all().unis(
                        publish(Topics.EVENTS, SendKeys.factKey(s), EventEnvelope.of(SOURCE, now, deferred)),
                        publish(Topics.retryTopicFor(Duration.between(now, next.get())), site,
                                EventEnvelope.of(SOURCE, now, again)))
                .discardItems()
                .invoke(() -> metrics.outcome(deferred));
    }

    private Uni<Void> bounce(SendRequested s, int attempt, SmtpReply reply, BounceClass bounceClass) {
        return record(new Bounced(s.messageId(), s.recipientId(), s.sender(), s.recipient(), attempt, reply,
                null, bounceClass));
    }

    private Uni<Void> record(PostwireEvent fact) {
        return publish(Topics.EVENTS, SendKeys.factKey(fact), EventEnvelope.of(SOURCE, clock.instant(), fact))
                .invoke(() -> metrics.outcome(fact));
    }

    /**
     * Records an outcome, retrying the write alone when Kafka refuses it: by now the server may
     * have accepted the message, and failing the whole attempt would send it again on replay.
     * Only after about a minute of refusals does the failure reach the consumer loop.
     */
    private Uni<Void> publish(String topic, String key, EventEnvelope envelope) {
        return publisher.publish(topic, key, envelope)
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).atMost(8)
                .replaceWithVoid();
    }
}
