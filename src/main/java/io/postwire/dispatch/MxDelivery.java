package io.postwire.dispatch;

import io.postwire.event.SmtpReply;
import io.postwire.mtasts.TlsPolicy;
import io.postwire.mtasts.TlsReport;
import io.postwire.mx.MxHost;
import io.postwire.smtp.RecipientResult;
import io.postwire.smtp.RelayTarget;
import io.postwire.smtp.SmtpClient;
import io.postwire.smtp.SmtpEnvelope;
import io.postwire.smtp.SmtpResult;
import io.postwire.smtp.TlsMode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Delivers one message to a domain's mail exchangers: each host in the order given (preference,
 * ties shuffled by the resolver), each of its addresses in turn, moving on when an address cannot
 * be reached, gives no reply, fails TLS, or turns us away with 421 (RFC 5321 §5.1: try the next
 * host on a temporary failure to connect or to start the session). Any other reply is the
 * domain's answer.
 *
 * <p>MTA-STS (RFC 8461 §5): under {@code enforce} only the hosts the policy names are tried
 * ({@link #plan}), each with verified TLS (STARTTLS, chain to the trust anchors, certificate for
 * the MX host name); a TLS failure moves on like an unreachable host and never becomes a bounce.
 * Under {@code testing} the same checks run, a failure is recorded and the same address is tried
 * again with the usual opportunistic TLS, so testing never holds mail back.
 *
 * <p>Limit: the SMTP client does not say at which step a session failed, so a connection lost
 * after the final dot also moves to the next host, and a message the first host did take may
 * arrive twice. Receivers de-duplicate rarely; the window is a broken connection at the very end.
 */
final class MxDelivery {

    /**
     * How sessions to an exchanger go without a policy, the pool size of every exchanger, and the
     * sending pool connections leave from (its address and EHLO name).
     */
    record Policy(TlsMode tls, int maxConnections, int messagesPerConnection, SendingPools.Pool pool) {
    }

    /** One address to try: the MX host's name (what a certificate must carry) and its address. */
    record Hop(String name, String address) {
    }

    /** The addresses to try for one domain under its MTA-STS policy; empty when enforce allows none. */
    record Plan(String domain, TlsPolicy sts, List<Hop> hops) {
    }

    private final MxClients clients;
    private final MxConfig config;
    private final String heloName;
    private final MtaStsPolicies sts;

    MxDelivery(MxClients clients, MxConfig config, String heloName, MtaStsPolicies sts) {
        this.clients = clients;
        this.config = config;
        this.heloName = heloName;
        this.sts = sts;
    }

    /**
     * The hops for a domain: every address of every host, except that {@code enforce} leaves out
     * hosts the policy does not name (RFC 8461 §4.1). Each such host is recorded, in testing mode
     * too, where it is still tried.
     */
    Plan plan(String domain, List<MxHost> hosts, TlsPolicy policy) {
        List<Hop> hops = new ArrayList<>();
        for (MxHost h : hosts) {
            if (!policy.check(h.name())) {
                sts.record(TlsReport.mxNotInPolicy(domain, h.name(), policy));
                if (policy instanceof TlsPolicy.Enforce) {
                    continue;
                }
            }
            for (InetAddress a : h.addresses()) {
                hops.add(new Hop(h.name(), a.getHostAddress()));
            }
        }
        return new Plan(domain, policy, hops);
    }

    Uni<SmtpResult> send(Plan plan, Policy policy, SmtpEnvelope envelope, Buffer message) {
        if (plan.hops().isEmpty()) {
            throw new IllegalArgumentException("no exchanger to try for " + plan.domain());
        }
        return attempt(plan, 0, policy, envelope, message, new ArrayList<>());
    }

    private Uni<SmtpResult> attempt(Plan plan, int i, Policy policy, SmtpEnvelope envelope, Buffer message,
            List<String> failures) {
        Hop hop = plan.hops().get(i);
        return session(plan, hop, policy, envelope, message).chain(result -> {
            RecipientResult r = result.recipients().get(0);
            if (!tryNext(r) || i + 1 >= plan.hops().size()) {
                return Uni.createFrom().item(failures.isEmpty() || r.reply() != null
                        ? result : withFailures(result, r, failures));
            }
            failures.add(hop.name() + "[" + hop.address() + "]: "
                    + (r.reply() != null ? r.reply().toString() : r.failure()));
            return attempt(plan, i + 1, policy, envelope, message, failures);
        });
    }

    /** One session to one address, TLS as the domain's policy asks, its TLS outcome recorded. */
    private Uni<SmtpResult> session(Plan plan, Hop hop, Policy policy, SmtpEnvelope envelope, Buffer message) {
        TlsPolicy p = plan.sts();
        if (p instanceof TlsPolicy.None) {
            return send(hop, policy.tls(), policy, envelope, message).chain(result -> {
                if (policy.tls() != TlsMode.OFF) {
                    TlsReport.forSession(plan.domain(), hop.name(), p, result).ifPresent(sts::record);
                }
                if (policy.tls() == TlsMode.OPTIONAL && result.tlsFailure().isPresent()) {
                    // Opportunistic TLS (RFC 7435) must not make mail undeliverable: after a broken
                    // handshake, the same address again in plain text, as Postfix does at level may.
                    // No downgrade for required, verified or MTA-STS domains: they never get here.
                    return send(hop, TlsMode.OFF, policy, envelope, message);
                }
                return Uni.createFrom().item(result);
            });
        }
        return send(hop, TlsMode.VERIFIED, policy, envelope, message).chain(result -> {
            TlsReport.forSession(plan.domain(), hop.name(), p, result).ifPresent(sts::record);
            if (p instanceof TlsPolicy.Testing && result.tlsFailure().isPresent()) {
                // Testing mode only reports (RFC 8461 §5): deliver as if there were no policy.
                return send(hop, policy.tls(), policy, envelope, message);
            }
            return Uni.createFrom().item(result);
        });
    }

    private Uni<SmtpResult> send(Hop hop, TlsMode tls, Policy policy, SmtpEnvelope envelope, Buffer message) {
        MxClients.Key key = new MxClients.Key(hop.address(), config.port(), tls,
                tls == TlsMode.VERIFIED ? Optional.of(hop.name()) : Optional.empty(), policy.pool().sourceAddress(),
                policy.pool().heloName().orElse(heloName));
        SmtpClient client = clients.borrow(key, k -> target(k, policy));
        return client.send(envelope, message).eventually(() -> clients.release(key));
    }

    /**
     * No verdict, a 421, or any refusal at the greeting moves on to the next exchanger. A 554
     * greeting (RFC 5321 §3.1) says this host offers us no service, often because our IP is listed,
     * not that the domain refuses the mail; another exchanger may well take it (Postfix's
     * {@code smtp_skip_5xx_greeting}).
     */
    private static boolean tryNext(RecipientResult r) {
        SmtpReply reply = r.reply();
        return reply == null || reply.code() == 421 || r.atGreeting();
    }

    /** The last failure names every host tried, so a deferral says why none took the message. */
    private static SmtpResult withFailures(SmtpResult last, RecipientResult r, List<String> earlier) {
        String all = String.join("; ", earlier) + "; " + last.remoteHost() + ": " + r.failure();
        return new SmtpResult(last.remoteHost(), last.tlsUsed(), List.of(RecipientResult.failed(r.recipient(), all)),
                last.tlsFailure());
    }

    private RelayTarget target(MxClients.Key k, Policy policy) {
        // Opportunistic TLS (RFC 7435) cannot check an exchanger's certificate: most do not name
        // the address we connect to, many are self-signed. Only an MTA-STS policy verifies.
        RelayTarget t = new RelayTarget(k.address(), k.port(), k.tls(), k.tls() != TlsMode.VERIFIED
                && k.tls() != TlsMode.OFF, Optional.empty(), k.heloName(), config.connectTimeout(),
                config.commandTimeout(), config.dataTimeout(), policy.maxConnections(),
                policy.messagesPerConnection(), config.idleTimeout());
        if (k.sourceAddress().isPresent()) {
            t = t.withSourceAddress(k.sourceAddress().get());
        }
        if (k.certificateName().isEmpty()) {
            return t;
        }
        RelayTarget verified = t.withVerifiedTls(k.certificateName().get());
        return sts.trust().map(verified::withTrust).orElse(verified);
    }
}
