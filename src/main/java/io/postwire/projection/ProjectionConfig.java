package io.postwire.projection;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The projection role. */
@ConfigMapping(prefix = "postwire.projection")
public interface ProjectionConfig {

    /** Run the projectors in this process. */
    @WithDefault("true")
    boolean enabled();
}
