package io.postwire.submission;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.postwire.bus.AtomicPublisher;
import io.postwire.dispatch.SiteRouter;
import io.postwire.event.Addresses;
import io.postwire.event.SendRequested;
import io.postwire.smtpd.MailTransaction;
import io.postwire.smtpd.SessionInfo;
import io.postwire.smtpd.SmtpdHandler;
import io.postwire.smtpd.SmtpdReply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Submission policy and acceptance. The policy: mail only from authenticated accounts (or trusted
 * networks), and an account only from its own domains, so Postwire is never an open relay. The
 * acceptance: {@code 250} only once every recipient's SendRequested, carrying the message as
 * submitted, is committed on Kafka in one transaction; otherwise {@code 451 4.3.0} and nothing
 * was accepted, so the client's retry cannot send twice.
 */
final class SubmissionHandler implements SmtpdHandler {

    private static final Logger LOG = Logger.getLogger(SubmissionHandler.class);
    static final String SOURCE = "postwire/submission";

    private final Vertx vertx;
    private final SubmissionAccounts accounts;
    private final AtomicPublisher publisher;
    private final SiteRouter sites;
    private final Clock clock;
    private final Counter requested;
    // The account behind each authenticated session, until the connection closes.
    private final Map<String, SubmissionAccounts.Account> sessions = new ConcurrentHashMap<>();

    SubmissionHandler(Vertx vertx, SubmissionAccounts accounts, AtomicPublisher publisher, SiteRouter sites,
            MeterRegistry registry, Clock clock) {
        this.vertx = vertx;
        this.accounts = accounts;
        this.publisher = publisher;
        this.sites = sites;
        this.clock = clock;
        this.requested = registry.counter("postwire.sends.requested", "source", "smtp");
    }

    @Override
    public Future<Boolean> authenticate(SessionInfo session, String username, String password) {
        // PBKDF2 costs milliseconds of CPU: never on the event loop.
        return vertx.executeBlocking(() -> {
            Optional<SubmissionAccounts.Account> account = accounts.authenticate(username, password);
            account.ifPresent(a -> sessions.put(session.sessionId(), a));
            return account.isPresent();
        }, false);
    }

    @Override
    public SmtpdReply checkSender(SessionInfo session, String reversePath) {
        if (reversePath.isEmpty()) {
            return new SmtpdReply(553, "5.7.1", "A null sender cannot be submitted");
        }
        if (!isAscii(reversePath)) {
            return new SmtpdReply(553, "5.6.7", "Non-ASCII addresses are not supported");
        }
        if (!Addresses.isValid(reversePath)) {
            return new SmtpdReply(553, "5.1.7", "Sender address is not acceptable");
        }
        SubmissionAccounts.Account account = session.authenticatedUser() == null ? null
                : sessions.get(session.sessionId());
        if (account != null) {
            return account.mayUseSender(reversePath) ? null
                    : new SmtpdReply(553, "5.7.1", "Sender address not owned by the authenticated account");
        }
        // Trusted networks send for any domain, like Postfix's mynetworks; the engine already
        // refused everyone else with 530 before asking.
        return session.trustedNetwork() ? null : new SmtpdReply(530, "5.7.0", "Authentication required");
    }

    @Override
    public SmtpdReply checkRecipient(SessionInfo session, String reversePath, String recipient) {
        if (!isAscii(recipient)) {
            return new SmtpdReply(553, "5.6.7", "Non-ASCII addresses are not supported");
        }
        if (!Addresses.isValid(recipient)) {
            return new SmtpdReply(501, "5.1.3", "Bad recipient address syntax");
        }
        return null;
    }

    @Override
    public Future<SmtpdReply> deliver(SessionInfo session, MailTransaction tx) {
        String messageId = UUID.randomUUID().toString();
        Instant now = clock.instant();
        List<SendRequested> sends;
        try {
            sends = sends(messageId, tx, now);
        } catch (IllegalArgumentException e) {
            return Future.succeededFuture(new SmtpdReply(554, "5.6.0", "Message refused: " + e.getMessage()));
        }
        // Keyed by site, like the REST door; several recipients are one Kafka transaction.
        return Future.fromCompletionStage(sites.sendRecords(sends, SOURCE, now).chain(publisher::publishAll)
                        .subscribeAsCompletionStage())
                .map(v -> {
                    requested.increment(sends.size());
                    return new SmtpdReply(250, "2.0.0", "Ok: queued as " + messageId);
                })
                .otherwise(e -> {
                    LOG.errorf("Kafka did not acknowledge submitted message %s: %s", messageId, e.toString());
                    return new SmtpdReply(451, "4.3.0", "Message not stored, nothing was accepted; try again later");
                });
    }

    @Override
    public void sessionClosed(SessionInfo session) {
        sessions.remove(session.sessionId());
    }

    static List<SendRequested> sends(String messageId, MailTransaction tx, Instant now) {
        byte[] message = SubmittedMessage.complete(tx.message(), messageId, Addresses.domainOf(tx.reversePath()), now);
        SendRequested.RawContent raw = SendRequested.rawContent(message);
        Map<String, String> unique = new LinkedHashMap<>();
        for (String r : tx.recipients()) {
            unique.putIfAbsent(r.toLowerCase(Locale.ROOT), r);
        }
        List<SendRequested> sends = new ArrayList<>(unique.size());
        int n = 0;
        for (String recipient : unique.values()) {
            n++;
            sends.add(new SendRequested(messageId, messageId + "." + n, tx.reversePath(), recipient, null, List.of(),
                    List.of(), null, null, null, raw.raw(), Map.of(), List.of("smtp"), null, now, null,
                    raw.rawEncoding()));
        }
        return sends;
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 128);
    }
}
