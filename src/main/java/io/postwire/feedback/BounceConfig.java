package io.postwire.feedback;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.util.List;
import java.util.Optional;

/**
 * Where bounces and complaints come back to. With {@code POSTWIRE_BOUNCE_DOMAIN} set, every
 * outbound message's return path is {@code b+<token>@<domain>}, the token naming the send and
 * signed with {@code POSTWIRE_BOUNCE_SECRET} so nobody can forge a bounce for a send they did not
 * receive. The domain's MX must point at Postwire's inbound door.
 */
@ConfigMapping(prefix = "postwire.bounce")
public interface BounceConfig {

    /** The VERP domain; unset means messages keep the sender as return path (no VERP). */
    Optional<String> domain();

    /** HMAC key of the tokens, at least 16 bytes; required with a domain, identical on every replica. */
    Optional<String> secret();

    /** Earlier secrets still accepted when reading tokens, so a rotation does not orphan bounces in flight. */
    @WithName("retired-secrets")
    Optional<List<String>> retiredSecrets();

    /** Local part of the feedback-loop address (ARF complaints), e.g. {@code fbl@<domain>}. */
    @WithName("feedback-local-part")
    Optional<String> feedbackLocalPart();
}
