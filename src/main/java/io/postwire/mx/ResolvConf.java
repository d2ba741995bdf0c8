package io.postwire.mx;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the system's recursive resolvers from a resolv.conf(5) file. */
final class ResolvConf {

    /** What glibc uses when resolv.conf names no server. */
    static final InetSocketAddress FALLBACK = new InetSocketAddress("127.0.0.1", 53);

    private ResolvConf() {
    }

    /**
     * The {@code nameserver} lines in file order, port 53. A missing or unreadable file, or one
     * without a usable line, gives {@link #FALLBACK}, as glibc does. Scoped IPv6 addresses
     * ({@code fe80::1%eth0}) are kept with their scope.
     */
    static List<InetSocketAddress> nameservers(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return List.of(FALLBACK);
        }
        return nameservers(lines);
    }

    static List<InetSocketAddress> nameservers(List<String> lines) {
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String line : lines) {
            String[] words = line.strip().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver")) {
                String host = words[1];
                int scope = host.indexOf('%');
                try {
                    DnsSettings.ipLiteral(host, scope < 0 ? host : host.substring(0, scope));
                    servers.add(new InetSocketAddress(InetAddress.getByName(host), 53));
                } catch (IllegalArgumentException | UnknownHostException e) {
                    // glibc skips lines it cannot parse; so do we
                }
            }
        }
        return servers.isEmpty() ? List.of(FALLBACK) : List.copyOf(servers);
    }
}
