package io.postwire.testsupport;

import java.util.List;
import java.util.logging.Level;

import org.jboss.logmanager.LogContext;

/**
 * Turns the logging of the in-process Kafka node, the Kafka clients and zonky's PostgreSQL
 * wrapper down to WARN.
 *
 * <p>A starting KRaft node logs a few hundred INFO lines (every config value, every
 * partition state change) and zonky relays every line {@code initdb} and {@code pg_ctl}
 * print; together they bury test failures. Both log through SLF4J, which on this classpath
 * is bound to the JBoss LogManager, so the levels are set there. Quarkus re-applies its
 * own log configuration when an application boots, so {@code @QuarkusTest}s should also
 * set these categories in their application properties.
 */
final class EmbeddedLogLevels {

    /** Logger categories of the broker and controller, the Java clients, and zonky. */
    static final List<String> CATEGORIES =
            List.of("kafka", "org.apache.kafka", "state.change.logger", "io.zonky.test.db.postgres");

    private EmbeddedLogLevels() {
    }

    /** Sets every category to WARN, unless {@code -Dpostwire.embedded.verbose=true} asks for the full story. */
    static void quiet() {
        if (Boolean.getBoolean("postwire.embedded.verbose")) {
            return;
        }
        LogContext context = LogContext.getLogContext();
        for (String category : CATEGORIES) {
            // JBoss LogManager keeps the level on its logger node, so it outlives this Logger object.
            context.getLogger(category).setLevel(Level.WARNING);
        }
    }
}
