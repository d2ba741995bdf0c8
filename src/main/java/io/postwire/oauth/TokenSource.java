package io.postwire.oauth;

import io.vertx.core.Future;

/**
 * Where the SMTP client gets a bearer token for SASL XOAUTH2. Implementations cache tokens and
 * must be safe to call from any thread or event loop; the returned future may complete on any
 * thread, so callers hop back to their own context.
 */
public interface TokenSource {

    /** A token believed valid now; fails with a message that never contains a secret. */
    Future<AccessToken> token();

    /**
     * Tells the source that a server rejected {@code token}, so the next {@link #token()} fetches a
     * new one. A token other than the cached one is ignored: someone already replaced it.
     */
    void invalidate(AccessToken token);
}
