package io.postwire.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks that {@link EmbeddedPg} serves the postwire database to the postwire user. */
class EmbeddedPgTest {

    @Test
    void postwireUserCanCreateWriteAndRead() throws Exception {
        try (EmbeddedPg pg = timedStart("temporary")) {
            assertEquals("postgresql://127.0.0.1:" + pg.port() + "/postwire", pg.reactiveUrl());
            try (Connection connection = connect(pg);
                 Statement statement = connection.createStatement()) {
                assertEquals("postwire", single(statement, "SELECT current_user"));
                assertEquals("postwire", single(statement, "SELECT current_database()"));

                statement.execute("CREATE TABLE message (id int PRIMARY KEY, recipient text NOT NULL)");
                statement.execute("INSERT INTO message VALUES (1, 'a@example.com'), (2, 'b@example.com')");
                List<String> recipients = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery("SELECT recipient FROM message ORDER BY id")) {
                    while (rows.next()) {
                        recipients.add(rows.getString(1));
                    }
                }
                assertEquals(List.of("a@example.com", "b@example.com"), recipients);
            }
        }
    }

    @Test
    void givenDataDirectoryIsKeptAndReused(@TempDir Path parent) throws Exception {
        Path dataDir = parent.resolve("pg");
        try (EmbeddedPg pg = timedStart("fresh given directory", dataDir);
             Connection connection = connect(pg);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE kept (note text)");
            statement.execute("INSERT INTO kept VALUES ('survives a restart')");
        }
        assertTrue(Files.exists(dataDir.resolve("postgresql.conf")));

        try (EmbeddedPg pg = timedStart("reused directory", dataDir);
             Connection connection = connect(pg);
             Statement statement = connection.createStatement()) {
            assertEquals("survives a restart", single(statement, "SELECT note FROM kept"));
        }
    }

    @Test
    void twoServersGetDifferentPorts() {
        try (EmbeddedPg first = EmbeddedPg.start(); EmbeddedPg second = EmbeddedPg.start()) {
            assertNotEquals(first.port(), second.port());
            assertFalse(first.jdbcUrl().equals(second.jdbcUrl()));
        }
    }

    private static EmbeddedPg timedStart(String label) {
        long started = System.nanoTime();
        EmbeddedPg pg = EmbeddedPg.start();
        report(label, pg, started);
        return pg;
    }

    private static EmbeddedPg timedStart(String label, Path dataDir) {
        long started = System.nanoTime();
        EmbeddedPg pg = EmbeddedPg.start(dataDir, 0);
        report(label, pg, started);
        return pg;
    }

    private static void report(String label, EmbeddedPg pg, long startedNanos) {
        // The JVM's user is printed because running as root takes a different path in zonky.
        System.out.printf("EmbeddedPg (%s) ready on port %d in %d ms (JVM user %s)%n",
                label, pg.port(), Duration.ofNanos(System.nanoTime() - startedNanos).toMillis(),
                System.getProperty("user.name"));
    }

    private static Connection connect(EmbeddedPg pg) throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(), pg.username(), pg.password());
    }

    private static String single(Statement statement, String query) throws SQLException {
        try (ResultSet rows = statement.executeQuery(query)) {
            assertTrue(rows.next(), "no row for " + query);
            return rows.getString(1);
        }
    }
}
