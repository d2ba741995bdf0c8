package io.postwire.smtpd;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one {@link SmtpdServer} listens with. Build one from {@link #defaults(String, String, int)}
 * and change it with {@link #toBuilder()}; the constructor checks that the values make sense.
 *
 * @param name                 for logs and metrics, e.g. {@code "submission"} or {@code "inbound"}
 * @param host                 the address to bind, e.g. {@code "0.0.0.0"} or {@code "127.0.0.1"}
 * @param port                 the port to bind; 0 picks a free one ({@link SmtpdServer#actualPort()})
 * @param hostname             the name in the greeting, the EHLO reply and timeout replies
 * @param implicitTls          TLS from the first byte (port 465 style); needs {@code tls}
 * @param tls                  certificate and key; when present and not implicit, STARTTLS is offered
 * @param offerAuth            offer AUTH PLAIN LOGIN, only ever on an encrypted session
 * @param authRequired         MAIL FROM needs an authenticated session or a trusted network (RFC 6409)
 * @param trustedNetworks      clients that may send without AUTH when {@code authRequired}
 * @param maxMessageSize       the largest message accepted, in octets (advertised as SIZE)
 * @param maxRecipients        RCPT TO beyond this many in one transaction get 452 4.5.3
 * @param maxLineLength        the longest command or text line, CRLF included (RFC 5321: 1000)
 * @param commandTimeout       the longest silence inside a command, a DATA transfer or an AUTH
 *                             exchange, the longest TLS handshake, and the longest wait for the handler
 * @param idleTimeout          the longest wait for the next command after a reply
 * @param maxConnections       open sessions beyond this get {@code 421 4.7.0} at greeting
 * @param maxConnectionsPerIp  the same, per client IP address
 * @param authFailureDelay     how long a failed AUTH waits before its 535 reply
 * @param maxAuthFailuresPerIp a client IP with more failures than this within
 *                             {@code authFailureWindow} is disconnected and refused until the window passes
 * @param authFailureWindow    how long a failed AUTH counts against its IP address
 */
public record SmtpdOptions(String name, String host, int port, String hostname, boolean implicitTls,
                           Optional<TlsMaterial> tls, boolean offerAuth, boolean authRequired,
                           List<Cidr> trustedNetworks, long maxMessageSize, int maxRecipients,
                           int maxLineLength, Duration commandTimeout, Duration idleTimeout,
                           int maxConnections, int maxConnectionsPerIp, Duration authFailureDelay,
                           int maxAuthFailuresPerIp, Duration authFailureWindow) {

    /** Messages are held in memory while they arrive, so the ceiling is well below 2 GiB. */
    public static final long MAX_MESSAGE_SIZE_CEILING = 1L << 30;

    public SmtpdOptions {
        requireText(name, "name");
        requireText(host, "host");
        requireText(hostname, "hostname");
        if (hostname.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("hostname must be printable ASCII without spaces: " + hostname);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        tls = Objects.requireNonNullElse(tls, Optional.empty());
        if (implicitTls && tls.isEmpty()) {
            throw new IllegalArgumentException("implicitTls needs TLS material");
        }
        trustedNetworks = List.copyOf(Objects.requireNonNullElse(trustedNetworks, List.of()));
        if (maxMessageSize < 1 || maxMessageSize > MAX_MESSAGE_SIZE_CEILING) {
            throw new IllegalArgumentException("maxMessageSize must be 1.." + MAX_MESSAGE_SIZE_CEILING);
        }
        positive(maxRecipients, "maxRecipients");
        if (maxLineLength < 512) {
            throw new IllegalArgumentException("maxLineLength must be at least 512 (RFC 5321 §4.5.3.1.4)");
        }
        positive(commandTimeout, "commandTimeout");
        positive(idleTimeout, "idleTimeout");
        positive(maxConnections, "maxConnections");
        positive(maxConnectionsPerIp, "maxConnectionsPerIp");
        Objects.requireNonNull(authFailureDelay, "authFailureDelay");
        if (authFailureDelay.isNegative()) {
            throw new IllegalArgumentException("authFailureDelay must not be negative");
        }
        positive(maxAuthFailuresPerIp, "maxAuthFailuresPerIp");
        positive(authFailureWindow, "authFailureWindow");
    }

    /**
     * Sensible defaults for the given socket: hostname {@code localhost}, no TLS, no AUTH,
     * 10 MiB messages, 100 recipients, 1000-octet lines, 5-minute timeouts (RFC 5321 §4.5.3.2),
     * 100 connections (20 per IP), and after more than 5 failed AUTHs from one IP within 15 minutes
     * that IP is refused; each failure waits 1 s.
     */
    public static SmtpdOptions defaults(String name, String host, int port) {
        return new SmtpdOptions(name, host, port, "localhost", false, Optional.empty(), false, false,
                List.of(), 10L * 1024 * 1024, 100, 1000, Duration.ofMinutes(5), Duration.ofMinutes(5),
                100, 20, Duration.ofSeconds(1), 5, Duration.ofMinutes(15));
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** True when STARTTLS can be offered on a plain-text session. */
    public boolean startTlsAvailable() {
        return tls.isPresent() && !implicitTls;
    }

    /** True when {@code address} is in one of the trusted networks. */
    public boolean trusted(InetAddress address) {
        for (Cidr c : trustedNetworks) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static void requireText(String s, String what) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }

    private static void positive(long n, String what) {
        if (n < 1) {
            throw new IllegalArgumentException(what + " must be positive: " + n);
        }
    }

    private static void positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isZero() || d.isNegative() || d.toMillis() < 1) {
            throw new IllegalArgumentException(what + " must be at least 1 ms: " + d);
        }
    }

    /** A mutable copy of some options; {@link #build()} validates. */
    public static final class Builder {
        private String name;
        private String host;
        private int port;
        private String hostname;
        private boolean implicitTls;
        private Optional<TlsMaterial> tls;
        private boolean offerAuth;
        private boolean authRequired;
        private List<Cidr> trustedNetworks;
        private long maxMessageSize;
        private int maxRecipients;
        private int maxLineLength;
        private Duration commandTimeout;
        private Duration idleTimeout;
        private int maxConnections;
        private int maxConnectionsPerIp;
        private Duration authFailureDelay;
        private int maxAuthFailuresPerIp;
        private Duration authFailureWindow;

        private Builder(SmtpdOptions o) {
            name = o.name;
            host = o.host;
            port = o.port;
            hostname = o.hostname;
            implicitTls = o.implicitTls;
            tls = o.tls;
            offerAuth = o.offerAuth;
            authRequired = o.authRequired;
            trustedNetworks = o.trustedNetworks;
            maxMessageSize = o.maxMessageSize;
            maxRecipients = o.maxRecipients;
            maxLineLength = o.maxLineLength;
            commandTimeout = o.commandTimeout;
            idleTimeout = o.idleTimeout;
            maxConnections = o.maxConnections;
            maxConnectionsPerIp = o.maxConnectionsPerIp;
            authFailureDelay = o.authFailureDelay;
            maxAuthFailuresPerIp = o.maxAuthFailuresPerIp;
            authFailureWindow = o.authFailureWindow;
        }

        public Builder name(String v) { name = v; return this; }
        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder hostname(String v) { hostname = v; return this; }
        public Builder implicitTls(boolean v) { implicitTls = v; return this; }
        public Builder tls(TlsMaterial v) { tls = Optional.ofNullable(v); return this; }
        public Builder offerAuth(boolean v) { offerAuth = v; return this; }
        public Builder authRequired(boolean v) { authRequired = v; return this; }
        public Builder trustedNetworks(List<Cidr> v) { trustedNetworks = v; return this; }
        /** Comma- or space-separated CIDRs, e.g. {@code "127.0.0.0/8, ::1"}. */
        public Builder trustedNetworks(String v) {
            trustedNetworks = v == null || v.isBlank() ? List.of()
                    : java.util.Arrays.stream(v.trim().split("[,\\s]+")).map(Cidr::parse).toList();
            return this;
        }
        public Builder maxMessageSize(long v) { maxMessageSize = v; return this; }
        public Builder maxRecipients(int v) { maxRecipients = v; return this; }
        public Builder maxLineLength(int v) { maxLineLength = v; return this; }
        public Builder commandTimeout(Duration v) { commandTimeout = v; return this; }
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        public Builder maxConnectionsPerIp(int v) { maxConnectionsPerIp = v; return this; }
        public Builder authFailureDelay(Duration v) { authFailureDelay = v; return this; }
        public Builder maxAuthFailuresPerIp(int v) { maxAuthFailuresPerIp = v; return this; }
        public Builder authFailureWindow(Duration v) { authFailureWindow = v; return this; }

        public SmtpdOptions build() {
            return new SmtpdOptions(name, host, port, hostname, implicitTls, tls, offerAuth, authRequired,
                    trustedNetworks, maxMessageSize, maxRecipients, maxLineLength, commandTimeout, idleTimeout,
                    maxConnections, maxConnectionsPerIp, authFailureDelay, maxAuthFailuresPerIp, authFailureWindow);
        }
    }
}
