package io.postwire.dispatch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;
import java.util.Map;

/**
 * Claims {@code postwire.shaping.*} for SmallRye (the {@code postwire} root refuses keys no mapping
 * claims) and hands them over flat: {@link io.postwire.shaping.ShapingConfigParser} validates them.
 */
@ConfigMapping(prefix = "postwire.shaping")
public interface ShapingProperties {

    /** Shape per site; off only for benchmark comparisons. */
    @WithDefault("true")
    boolean enabled();

    /** Every other key below {@code postwire.shaping.}, without the prefix (see docs/shaping.md). */
    @WithParentName
    Map<String, String> properties();
}
