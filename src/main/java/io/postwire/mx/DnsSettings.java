package io.postwire.mx;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How {@link MxResolver} talks to DNS and how long it remembers answers.
 *
 * @param servers          recursive resolvers, tried in order; the next one is asked when one
 *                         times out or answers SERVFAIL/REFUSED
 * @param queryTimeout     how long to wait for one server's answer to one query
 * @param maxTtl           cap on how long any answer is cached, whatever its TTL says, so a
 *                         domain that moves its mail (say, to Microsoft 365) is followed soon
 * @param negativeTtl      how long "no such domain" and "no host" answers are cached when the
 *                         server sent no SOA record to take the negative TTL from (RFC 2308 §5)
 * @param maxCachedDomains how many domains the cache holds before it drops the least recently used
 * @param resendAfter      a query with no reply after this long is sent again to the same server,
 *                         then again after twice as long, and so on while within
 *                         {@code queryTimeout}: a lost UDP datagram then costs this, not a timeout
 * @param maxQueriesInFlight how many questions may await a reply at once; more wait in a queue,
 *                         so a burst of new domains does not overrun the socket's receive buffer
 */
public record DnsSettings(List<InetSocketAddress> servers, Duration queryTimeout, Duration maxTtl,
        Duration negativeTtl, int maxCachedDomains, Duration resendAfter, int maxQueriesInFlight) {

    /** glibc's default resolver timeout. */
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_MAX_TTL = Duration.ofHours(1);
    public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_CACHED_DOMAINS = 100_000;
    /** With a 5 s timeout: sent at 0, 1 s and 3 s to each server, as a stub resolver retransmits. */
    public static final Duration DEFAULT_RESEND_AFTER = Duration.ofSeconds(1);
    public static final int DEFAULT_MAX_QUERIES_IN_FLIGHT = 256;
    public static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

    public DnsSettings {
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("at least one DNS server is needed");
        }
        requirePositive(queryTimeout, "queryTimeout");
        requirePositive(maxTtl, "maxTtl");
        requirePositive(negativeTtl, "negativeTtl");
        if (negativeTtl.compareTo(maxTtl) > 0) {
            throw new IllegalArgumentException("negativeTtl " + negativeTtl + " is above maxTtl " + maxTtl);
        }
        if (maxCachedDomains < 1) {
            throw new IllegalArgumentException("maxCachedDomains must be at least 1: " + maxCachedDomains);
        }
        requirePositive(resendAfter, "resendAfter");
        if (maxQueriesInFlight < 1) {
            throw new IllegalArgumentException("maxQueriesInFlight must be at least 1: " + maxQueriesInFlight);
        }
    }

    /** With the default resend interval and cap on queries in flight. */
    public DnsSettings(List<InetSocketAddress> servers, Duration queryTimeout, Duration maxTtl, Duration negativeTtl,
            int maxCachedDomains) {
        this(servers, queryTimeout, maxTtl, negativeTtl, maxCachedDomains, DEFAULT_RESEND_AFTER,
                DEFAULT_MAX_QUERIES_IN_FLIGHT);
    }

    public DnsSettings withResendAfter(Duration resendAfter) {
        return new DnsSettings(servers, queryTimeout, maxTtl, negativeTtl, maxCachedDomains, resendAfter,
                maxQueriesInFlight);
    }

    public DnsSettings withMaxQueriesInFlight(int maxQueriesInFlight) {
        return new DnsSettings(servers, queryTimeout, maxTtl, negativeTtl, maxCachedDomains, resendAfter,
                maxQueriesInFlight);
    }

    /**
     * Default settings with the given servers ({@code host:port} list, port 53 when left out,
     * IPv6 as {@code [::1]:53}); a null or blank list means the system resolvers from
     * {@code /etc/resolv.conf}.
     */
    public static DnsSettings parse(String serversCsv) {
        List<InetSocketAddress> servers = serversCsv == null || serversCsv.isBlank()
                ? ResolvConf.nameservers(RESOLV_CONF)
                : parseServers(serversCsv);
        return new DnsSettings(servers, DEFAULT_QUERY_TIMEOUT, DEFAULT_MAX_TTL, DEFAULT_NEGATIVE_TTL,
                DEFAULT_MAX_CACHED_DOMAINS);
    }

    static List<InetSocketAddress> parseServers(String csv) {
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String item : csv.split(",")) {
            String entry = item.strip();
            if (!entry.isEmpty()) {
                servers.add(parseServer(entry));
            }
        }
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no DNS server in '" + csv + "'");
        }
        return servers;
    }

    /** {@code 10.0.0.2}, {@code 10.0.0.2:5353}, {@code ::1}, {@code [::1]:5353}. */
    static InetSocketAddress parseServer(String entry) {
        String host = entry;
        int port = 53;
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '[' in DNS server '" + entry + "'");
            }
            host = entry.substring(1, close);
            String rest = entry.substring(close + 1);
            if (!rest.isEmpty()) {
                port = parsePort(entry, rest.startsWith(":") ? rest.substring(1) : rest);
            }
        } else if (entry.indexOf(':') >= 0 && entry.indexOf(':') == entry.lastIndexOf(':')) {
            host = entry.substring(0, entry.indexOf(':'));
            port = parsePort(entry, entry.substring(entry.indexOf(':') + 1));
        }
        return new InetSocketAddress(ipLiteral(entry, host), port);
    }

    /**
     * Only IP literals: naming a DNS server by host name would need DNS to find DNS. The
     * character check keeps {@link InetAddress#getByName} from ever doing a lookup.
     */
    static InetAddress ipLiteral(String entry, String host) {
        boolean v4 = host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = host.contains(":") && host.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            throw new IllegalArgumentException("DNS server '" + entry + "' is not an IP address");
        }
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("DNS server '" + entry + "' is not an IP address", e);
        }
    }

    private static int parsePort(String entry, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("bad port in DNS server '" + entry + "'");
    }

    private static void requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
