package io.postwire.dkim;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.util.Map;
import java.util.Optional;

/**
 * Signing keys per sending domain. The common single-domain case is the three environment
 * variables {@code POSTWIRE_DKIM_DOMAIN}, {@code POSTWIRE_DKIM_SELECTOR} and
 * {@code POSTWIRE_DKIM_KEY_FILE}; more domains go under {@code postwire.dkim.domains.<domain>}.
 */
@ConfigMapping(prefix = "postwire.dkim")
public interface DkimConfig {

    /** The signing domain (d=) for the single-domain setup. */
    Optional<String> domain();

    /** The selector (s=) for the single-domain setup. */
    @WithDefault("postwire")
    String selector();

    /** PEM private key file (PKCS#8 or PKCS#1) for the single-domain setup. */
    @WithName("key-file")
    Optional<String> keyFile();

    /** Further signing domains, each with its own selector and key file. */
    Map<String, DomainKey> domains();

    /** One extra signing domain. */
    interface DomainKey {
        @WithDefault("postwire")
        String selector();

        @WithName("key-file")
        String keyFile();
    }
}
