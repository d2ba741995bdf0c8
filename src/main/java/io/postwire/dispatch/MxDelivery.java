package io.postwire.dispatch;

import io.postwire.event.SmtpReply;
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
 * be reached, gives no reply, or turns us away with 421 (RFC 5321 §5.1: try the next host on a
 * temporary failure to connect or to start the session). Any other reply is the domain's answer.
 *
 * <p>Limit: the SMTP client does not say at which step a session failed, so a connection lost
 * after the final dot also moves to the next host, and a message the first host did take may
 * arrive twice. Receivers de-duplicate rarely; the window is a broken connection at the very end.
 */
final class MxDelivery {

    /** How sessions to an exchanger go: TLS policy, pool size and everything else of the target. */
    record Policy(TlsMode tls, boolean verifyCertificate, int maxConnections, int messagesPerConnection) {
    }

    private final MxClients clients;
    private final MxConfig config;
    private final String heloName;

    MxDelivery(MxClients clients, MxConfig config, String heloName) {
        this.clients = clients;
        this.config = config;
        this.heloName = heloName;
    }

    Uni<SmtpResult> send(List<MxHost> hosts, Policy policy, SmtpEnvelope envelope, Buffer message) {
        List<Hop> hops = new ArrayList<>();
        for (MxHost h : hosts) {
            for (InetAddress a : h.addresses()) {
                hops.add(new Hop(h.name(), a.getHostAddress()));
            }
        }
        return attempt(hops, 0, policy, envelope, message, new ArrayList<>());
    }

    private record Hop(String name, String address) {
    }

    private Uni<SmtpResult> attempt(List<Hop> hops, int i, Policy policy, SmtpEnvelope envelope, Buffer message,
            List<String> failures) {
        Hop hop = hops.get(i);
        MxClients.Key key = new MxClients.Key(hop.address(), config.port(), policy.tls(),
                policy.verifyCertificate() ? Optional.of(hop.name()) : Optional.empty());
        SmtpClient client = clients.borrow(key, k -> target(k, policy));
        return client.send(envelope, message)
                .eventually(() -> clients.release(key))
                .chain(result -> {
                    RecipientResult r = result.recipients().get(0);
                    if (!tryNext(r) || i + 1 >= hops.size()) {
                        return Uni.createFrom().item(failures.isEmpty() || r.reply() != null
                                ? result : withFailures(result, r, failures));
                    }
                    failures.add(hop.name() + "[" + hop.address() + "]: "
                            + (r.reply() != null ? r.reply().toString() : r.failure()));
                    return attempt(hops, i + 1, policy, envelope, message, failures);
                });
    }

    private static boolean tryNext(RecipientResult r) {
        SmtpReply reply = r.reply();
        return reply == null || reply.code() == 421;
    }

    /** The last failure names every host tried, so a deferral says why none took the message. */
    private static SmtpResult withFailures(SmtpResult last, RecipientResult r, List<String> earlier) {
        String all = String.join("; ", earlier) + "; " + last.remoteHost() + ": " + r.failure();
        return new SmtpResult(last.remoteHost(), last.tlsUsed(), List.of(RecipientResult.failed(r.recipient(), all)),
                last.tlsFailure());
    }

    private RelayTarget target(MxClients.Key k, Policy policy) {
        // Opportunistic TLS (RFC 7435) cannot check an exchanger's certificate: most do not name
        // the address we connect to, many are self-signed. Only MTA-STS enforce verifies.
        RelayTarget t = new RelayTarget(k.address(), k.port(), policy.tls(), policy.tls() != TlsMode.VERIFIED
                && policy.tls() != TlsMode.OFF, Optional.empty(), heloName, config.connectTimeout(),
                config.commandTimeout(), config.dataTimeout(), policy.maxConnections(),
                policy.messagesPerConnection(), config.idleTimeout());
        return k.certificateName().map(t::withVerifiedTls).orElse(t);
    }
}
