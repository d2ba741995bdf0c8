package io.postwire.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import java.util.List;
import java.util.Optional;

/** API access settings. */
@ConfigMapping(prefix = "postwire")
public interface ApiConfig {

    /** Accepted bearer keys (env {@code POSTWIRE_API_KEYS}, comma-separated). No default: none denies all. */
    @WithName("api-keys")
    Optional<List<String>> apiKeys();
}
