package io.postwire.smtp;

import io.vertx.core.net.TrustOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One SMTP server a {@link SmtpClient} delivers to, with everything that shapes the sessions to
 * it: TLS policy, credentials, the name we greet with, timeouts and pool limits.
 *
 * <p>Default timeouts follow RFC 5321 §4.5.3.2 (5 minutes per command reply, 10 minutes for the
 * reply after the final dot). {@code trustAllCertificates} disables certificate and host name
 * checks and exists only for tests and local relays.
 *
 * @param host                   server host name or address
 * @param port                   server port, 1..65535
 * @param tlsMode                STARTTLS policy
 * @param trustAllCertificates   accept any server certificate (tests/local only)
 * @param credentials            AUTH credentials; AUTH is only ever sent over TLS
 * @param heloName               the name we announce in EHLO/HELO
 * @param connectTimeout         limit for establishing the TCP connection
 * @param commandTimeout         limit for each server reply except the one after the final dot
 * @param dataTimeout            limit for the server's reply after the final dot
 * @param maxConnections         most live connections at once; further sends queue (FIFO)
 * @param maxMessagesPerConnection transactions after which a connection is closed
 * @param idleTimeout            an idle pooled connection is closed after this long
 * @param certificateName        the name sent as SNI and, in {@link TlsMode#VERIFIED}, required
 *                               among the certificate's DNS names; empty means {@code host}. For
 *                               MX delivery: the MX host name while {@code host} is its address
 * @param trust                  the trust store for server certificates; empty means the JVM's
 * @param sourceAddress          the local IP address connections leave from; empty lets the kernel pick
 */
public record RelayTarget(
        String host,
        int port,
        TlsMode tlsMode,
        boolean trustAllCertificates,
        Optional<SmtpCredentials> credentials,
        String heloName,
        Duration connectTimeout,
        Duration commandTimeout,
        Duration dataTimeout,
        int maxConnections,
        int maxMessagesPerConnection,
        Duration idleTimeout,
        Optional<String> certificateName,
        Optional<TrustOptions> trust,
        Optional<String> sourceAddress) {

    public RelayTarget {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tlsMode, "tlsMode");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(heloName, "heloName");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + port);
        }
        // The name goes verbatim into "EHLO <name>"; whitespace or CR/LF would break the command.
        if (heloName.isEmpty() || !heloName.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("heloName must be a non-empty printable token: " + heloName);
        }
        positive(connectTimeout, "connectTimeout");
        positive(commandTimeout, "commandTimeout");
        positive(dataTimeout, "dataTimeout");
        positive(idleTimeout, "idleTimeout");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be >= 1, was " + maxConnections);
        }
        if (maxMessagesPerConnection < 1) {
            throw new IllegalArgumentException(
                    "maxMessagesPerConnection must be >= 1, was " + maxMessagesPerConnection);
        }
        Objects.requireNonNull(certificateName, "certificateName");
        Objects.requireNonNull(trust, "trust");
        Objects.requireNonNull(sourceAddress, "sourceAddress");
        if (certificateName.isPresent() && certificateName.get().isBlank()) {
            throw new IllegalArgumentException("certificateName must not be blank");
        }
        if (tlsMode == TlsMode.VERIFIED && trustAllCertificates) {
            throw new IllegalArgumentException("VERIFIED TLS cannot trust all certificates");
        }
    }

    /** A target that names no certificate and uses the JVM's trust store. */
    public RelayTarget(String host, int port, TlsMode tlsMode, boolean trustAllCertificates,
            Optional<SmtpCredentials> credentials, String heloName, Duration connectTimeout,
            Duration commandTimeout, Duration dataTimeout, int maxConnections, int maxMessagesPerConnection,
            Duration idleTimeout) {
        this(host, port, tlsMode, trustAllCertificates, credentials, heloName, connectTimeout, commandTimeout,
                dataTimeout, maxConnections, maxMessagesPerConnection, idleTimeout, Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /**
     * A target with the defaults: STARTTLS when offered, JDK trust, no AUTH, HELO name {@code
     * localhost}, 30 s connect, 5 min per reply, 10 min after the dot, 4 connections, 100 messages
     * per connection, 30 s idle.
     */
    public static RelayTarget of(String host, int port) {
        return new RelayTarget(host, port, TlsMode.OPTIONAL, false, Optional.empty(), "localhost",
                Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(10), 4, 100,
                Duration.ofSeconds(30));
    }

    public RelayTarget withTls(TlsMode mode, boolean trustAll) {
        return new RelayTarget(host, port, mode, trustAll, credentials, heloName, connectTimeout,
                commandTimeout, dataTimeout, maxConnections, maxMessagesPerConnection, idleTimeout,
                certificateName, trust, sourceAddress);
    }

    public RelayTarget withCredentials(SmtpCredentials creds) {
        return new RelayTarget(host, port, tlsMode, trustAllCertificates, Optional.of(creds), heloName,
                connectTimeout, commandTimeout, dataTimeout, maxConnections, maxMessagesPerConnection,
                idleTimeout, certificateName, trust, sourceAddress);
    }

    public RelayTarget withHeloName(String name) {
        return new RelayTarget(host, port, tlsMode, trustAllCertificates, credentials, name,
                connectTimeout, commandTimeout, dataTimeout, maxConnections, maxMessagesPerConnection,
                idleTimeout, certificateName, trust, sourceAddress);
    }

    public RelayTarget withTimeouts(Duration connect, Duration command, Duration data) {
        return new RelayTarget(host, port, tlsMode, trustAllCertificates, credentials, heloName,
                connect, command, data, maxConnections, maxMessagesPerConnection, idleTimeout, certificateName,
                trust, sourceAddress);
    }

    public RelayTarget withPool(int connections, int messagesPerConnection, Duration idle) {
        return new RelayTarget(host, port, tlsMode, trustAllCertificates, credentials, heloName,
                connectTimeout, commandTimeout, dataTimeout, connections, messagesPerConnection, idle,
                certificateName, trust, sourceAddress);
    }

    /**
     * STARTTLS required and the server authenticated as {@code name} (RFC 8461 §4.2): the
     * target for an MX host under an MTA-STS {@code enforce} policy, {@code host} being its address.
     */
    public RelayTarget withVerifiedTls(String name) {
        return new RelayTarget(host, port, TlsMode.VERIFIED, false, credentials, heloName, connectTimeout,
                commandTimeout, dataTimeout, maxConnections, maxMessagesPerConnection, idleTimeout,
                Optional.of(name), trust, sourceAddress);
    }

    /** Server certificates must chain to {@code trustOptions} instead of the JVM's trust store. */
    public RelayTarget withTrust(TrustOptions trustOptions) {
        return new RelayTarget(host, port, tlsMode, trustAllCertificates, credentials, heloName, connectTimeout,
                commandTimeout, dataTimeout, maxConnections, maxMessagesPerConnection, idleTimeout,
                certificateName, Optional.of(trustOptions), sourceAddress);
    }

    /**
     * Connections leave from this local IP address (a sending pool's IP; providers judge a sender
     * by it), instead of the one the kernel picks.
     */
    public RelayTarget withSourceAddress(String address) {
        return new RelayTarget(host, port, tlsMode, trustAllCertificates, credentials, heloName, connectTimeout,
                commandTimeout, dataTimeout, maxConnections, maxMessagesPerConnection, idleTimeout,
                certificateName, trust, Optional.of(address));
    }

    /** The name the server certificate must carry: {@code certificateName}, else {@code host}. */
    public String expectedCertificateName() {
        return certificateName.orElse(host);
    }

    /** The server as {@code host:port}, as reported in {@link SmtpResult#remoteHost()}. */
    public String address() {
        return host + ":" + port;
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }
}
