package io.postwire.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/** Checks that the Quarkus configuration from {@link PostwireInfra} points at live servers. */
class EmbeddedInfraConfigTest {

    @Test
    void configPointsAtOneSharedKafkaAndPostgres() throws Exception {
        long started = System.nanoTime();
        Map<String, String> config = PostwireInfra.config();
        System.out.printf("PostwireInfra (Kafka and PostgreSQL in parallel) ready in %d ms%n",
                Duration.ofNanos(System.nanoTime() - started).toMillis());

        assertEquals(Set.of("kafka.bootstrap.servers", "quarkus.datasource.db-kind",
                "quarkus.datasource.reactive.url", "quarkus.datasource.username",
                "quarkus.datasource.password", "quarkus.devservices.enabled"), config.keySet());
        assertEquals("postgresql", config.get("quarkus.datasource.db-kind"));
        assertEquals("false", config.get("quarkus.devservices.enabled"));
        assertTrue(config.get("quarkus.datasource.reactive.url").matches("postgresql://127\\.0\\.0\\.1:\\d+/postwire"),
                config.get("quarkus.datasource.reactive.url"));

        assertSame(config, PostwireInfra.config(), "second call must not start new servers");
        assertEquals(config, new PostwireTestResource().start());

        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get("kafka.bootstrap.servers")))) {
            assertFalse(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty());
        }
        try (Connection connection = DriverManager.getConnection(
                     "jdbc:" + config.get("quarkus.datasource.reactive.url"),
                     config.get("quarkus.datasource.username"), config.get("quarkus.datasource.password"));
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT current_user")) {
            assertTrue(rows.next());
            assertEquals("postwire", rows.getString(1));
        }
    }
}
