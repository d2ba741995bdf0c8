package io.postwire.testsupport;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a {@code @QuarkusTest} at the JVM-wide embedded Kafka and PostgreSQL of
 * {@link PostwireInfra}; use it with {@code @WithTestResource(PostwireTestResource.class)}
 * (or the older {@code @QuarkusTestResource}). Every test class gets the same servers.
 */
public class PostwireTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return PostwireInfra.config();
    }

    /** Does nothing: the servers outlive any one test and are stopped when the JVM exits. */
    @Override
    public void stop() {
    }
}
