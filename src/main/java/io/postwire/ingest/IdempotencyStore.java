package io.postwire.ingest;

import io.postwire.projection.TimelineRecipient;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;

/**
 * Claims idempotency keys with an atomic insert, so the same key never produces a second send,
 * even when two requests race on two replicas.
 *
 * <p>A claim stays PENDING while its events are being written. If the writer died in between,
 * the claim is taken over after a lease: as already sent when the timeline knows the message,
 * otherwise by a retry that writes the events again with the same ids.
 */
@ApplicationScoped
public class IdempotencyStore {

    /** What a claim attempt found. */
    public enum Outcome { CLAIMED, ALREADY_ACCEPTED, IN_PROGRESS, DIFFERENT_REQUEST }

    public Uni<Outcome> claim(String scopeKey, String requestHash, String messageId, Instant now, Duration lease) {
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "insert into idempotency_claim (scope_key, request_hash, message_id, state, claimed_at) "
                                + "values (?1, ?2, ?3, 'PENDING', ?4) on conflict do nothing")
                .setParameter(1, scopeKey).setParameter(2, requestHash).setParameter(3, messageId)
                .setParameter(4, now)
                .executeUpdate()))
                .chain(inserted -> inserted == 1
                        ? Uni.createFrom().item(Outcome.CLAIMED)
                        : existing(scopeKey, requestHash, now, lease));
    }

    private Uni<Outcome> existing(String scopeKey, String requestHash, Instant now, Duration lease) {
        return Panache.withTransaction(() -> IdempotencyClaim.<IdempotencyClaim>findById(scopeKey).chain(c -> {
            if (c == null) {
                // Released between our insert and this read: the caller may simply retry.
                return Uni.createFrom().item(Outcome.IN_PROGRESS);
            }
            if (!c.requestHash.equals(requestHash)) {
                return Uni.createFrom().item(Outcome.DIFFERENT_REQUEST);
            }
            if ("ACCEPTED".equals(c.state)) {
                return Uni.createFrom().item(Outcome.ALREADY_ACCEPTED);
            }
            if (c.claimedAt.isBefore(now.minus(lease))) {
                // The writer died. If its transaction did commit, the timeline has seen the
                // message by now (the lease is far longer than projection lag): accept it as
                // sent rather than sending it again.
                return TimelineRecipient.count("messageId", c.messageId).chain(seen -> seen > 0
                        ? IdempotencyClaim.update("state = 'ACCEPTED' where scopeKey = ?1", scopeKey)
                                .replaceWith(Outcome.ALREADY_ACCEPTED)
                        : IdempotencyClaim.update("claimedAt = ?1 where scopeKey = ?2 and claimedAt = ?3",
                                        now, scopeKey, c.claimedAt)
                                .map(n -> n == 1 ? Outcome.CLAIMED : Outcome.IN_PROGRESS));
            }
            return Uni.createFrom().item(Outcome.IN_PROGRESS);
        }));
    }

    public Uni<Void> accepted(String scopeKey) {
        return Panache.withTransaction(() -> IdempotencyClaim.update("state = 'ACCEPTED' where scopeKey = ?1", scopeKey))
                .replaceWithVoid();
    }

    /** Frees a claim whose events could not be written, so the client's retry can proceed. */
    public Uni<Void> release(String scopeKey) {
        return Panache.withTransaction(() -> IdempotencyClaim.delete("scopeKey = ?1 and state = 'PENDING'", scopeKey))
                .replaceWithVoid();
    }
}
