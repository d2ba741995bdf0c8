package io.postwire.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Runs a real PostgreSQL server (zonky's bundled binaries) as a child process and makes
 * sure it holds the {@code postwire} database, owned by the {@code postwire} role.
 *
 * <p>Zonky runs {@code initdb} with {@code trust} authentication for local TCP
 * connections, so the password is accepted but never checked; it exists so that
 * connection settings look the same as against a real server. When the JVM runs as root,
 * zonky starts PostgreSQL inside {@code unshare -U} (PostgreSQL refuses to run as root),
 * which needs the {@code unshare} binary and unprivileged user namespaces.
 */
public final class EmbeddedPg implements AutoCloseable {

    private static final String DATABASE = "postwire";
    private static final String USERNAME = "postwire";
    private static final String PASSWORD = "postwire";

    private final EmbeddedPostgres postgres;

    private EmbeddedPg(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Starts a throwaway server on a free port; {@link #close()} deletes its data directory. */
    public static EmbeddedPg start() {
        return start(EmbeddedPostgres.builder());
    }

    /**
     * Starts a server whose data outlives it, for the local launcher.
     *
     * <p>An existing data directory (one holding {@code postgresql.conf}) is reused as is;
     * an empty or missing one is initialised first. Zonky runs the server with
     * {@code fsync} off, so the data survives restarts but not an operating-system crash.
     * If a previous JVM died without stopping its server, that orphaned {@code postgres}
     * process still holds the port and the directory and has to be stopped by hand
     * ({@code pg_ctl -D dataDir stop} or killing the PID in {@code postmaster.pid}).
     *
     * @param port a fixed port on localhost, or 0 for a free one
     */
    public static EmbeddedPg start(Path dataDir, int port) {
        return start(EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setPort(port));
    }

    private static EmbeddedPg start(EmbeddedPostgres.Builder builder) {
        EmbeddedLogLevels.quiet();
        EmbeddedPostgres postgres;
        try {
            postgres = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL", e);
        }
        try {
            createRoleAndDatabase(postgres);
            return new EmbeddedPg(postgres);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(postgres);
            throw new IllegalStateException("could not create the postwire database", e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    /** The URL for {@code quarkus.datasource.reactive.url}. */
    public String reactiveUrl() {
        return "postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    public String username() {
        return USERNAME;
    }

    public String password() {
        return PASSWORD;
    }

    /** Stops the server; a temporary data directory is deleted, a given one is kept. */
    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop embedded PostgreSQL", e);
        }
    }

    /** Idempotent, because a reused data directory already has both. */
    private static void createRoleAndDatabase(EmbeddedPostgres postgres) throws SQLException {
        try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
            if (!exists(connection, "SELECT 1 FROM pg_roles WHERE rolname = ?", USERNAME)) {
                try (Statement statement = connection.createStatement()) {
                    // Identifiers and literals cannot be bound parameters in DDL; both are constants.
                    statement.execute("CREATE ROLE " + USERNAME + " LOGIN PASSWORD '" + PASSWORD + "'");
                }
            }
            if (!exists(connection, "SELECT 1 FROM pg_database WHERE datname = ?", DATABASE)) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("CREATE DATABASE " + DATABASE + " OWNER " + USERNAME);
                }
            }
        }
    }

    private static boolean exists(Connection connection, String query, String name) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(query)) {
            statement.setString(1, name);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException | RuntimeException ignored) {
            // The start already failed; that failure is the one worth reporting.
        }
    }
}
