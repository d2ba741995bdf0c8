package io.postwire.ingest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;

/** Limits on what one API request may ask for. */
@ConfigMapping(prefix = "postwire.ingest")
public interface IngestLimits {

    /** Envelope recipients (to + cc + bcc) per request. */
    @WithName("max-recipients")
    @WithDefault("100")
    int maxRecipients();

    /**
     * Size of subject, bodies and headers together, in bytes. Each recipient's SendRequested
     * carries the content, so this must stay below the send topic's {@code max.message.bytes}.
     */
    @WithName("max-message-bytes")
    @WithDefault("5242880")
    int maxMessageBytes();

    /** Extra header fields per request. */
    @WithName("max-headers")
    @WithDefault("50")
    int maxHeaders();

    /** How long an unfinished idempotent request blocks a retry with the same key. */
    @WithName("idempotency-lease")
    @WithDefault("PT60S")
    Duration idempotencyLease();
}
