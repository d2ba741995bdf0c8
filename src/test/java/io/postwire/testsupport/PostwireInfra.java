package io.postwire.testsupport;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Holds the one Kafka node and the one PostgreSQL server shared by every test in this JVM,
 * started on first use and stopped by a shutdown hook.
 *
 * <p>Sharing matters because Quarkus restarts the application for each test profile; a
 * broker and a database per test class would add seconds to every restart. Tests must
 * therefore not assume an empty broker or database: use unique topic names, group ids
 * and rows.
 */
public final class PostwireInfra {

    private static Map<String, String> config;

    private PostwireInfra() {
    }

    /** Starts both servers if needed and returns the Quarkus configuration that points at them. */
    public static synchronized Map<String, String> config() {
        if (config == null) {
            config = start();
        }
        return config;
    }

    private static Map<String, String> start() {
        // PostgreSQL is a child process and Kafka runs in this JVM, so starting them side by
        // side saves most of the slower one's start-up time.
        CompletableFuture<EmbeddedPg> pg = CompletableFuture.supplyAsync(
                EmbeddedPg::start, task -> new Thread(task, "embedded-pg-start").start());
        EmbeddedKafka kafka;
        try {
            kafka = EmbeddedKafka.start();
        } catch (RuntimeException | Error e) {
            pg.thenAccept(EmbeddedPg::close);
            throw e;
        }
        EmbeddedPg postgres;
        try {
            postgres = pg.join();
        } catch (CompletionException e) {
            kafka.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            postgres.close();
        }, "postwire-infra-stop"));
        return Map.of(
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "quarkus.datasource.db-kind", "postgresql",
                "quarkus.datasource.reactive.url", postgres.reactiveUrl(),
                "quarkus.datasource.username", postgres.username(),
                "quarkus.datasource.password", postgres.password(),
                // Without this Quarkus would try to start containers for Kafka and PostgreSQL.
                "quarkus.devservices.enabled", "false");
    }
}
