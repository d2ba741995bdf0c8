package io.postwire.smtpd;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation. An IPv4-mapped IPv6 client address
 * ({@code ::ffff:192.0.2.1}) is matched as the IPv4 address it stands for.
 *
 * @param network      the network address with the host bits cleared
 * @param prefixLength the number of leading bits that must match
 */
public record Cidr(InetAddress network, int prefixLength) {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    public Cidr {
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range for " + network);
        }
        network = mask(network, prefixLength);
    }

    /**
     * Parses {@code "127.0.0.0/8"}, {@code "::1/128"} or a bare address (a single host). Only IP
     * literals are accepted: a host name is an error, never a DNS lookup.
     */
    public static Cidr parse(String text) {
        String s = text == null ? "" : text.trim();
        int slash = s.indexOf('/');
        String address = slash < 0 ? s : s.substring(0, slash);
        InetAddress ip = literal(address, text);
        int bits = ip.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (!p.matches("\\d{1,3}")) {
                throw new IllegalArgumentException("bad prefix length in CIDR '" + text + "'");
            }
            prefix = Integer.parseInt(p);
            if (prefix > bits) {
                throw new IllegalArgumentException("prefix length too long in CIDR '" + text + "'");
            }
        }
        return new Cidr(ip, prefix);
    }

    /** True when {@code address} is inside this network. */
    public boolean contains(InetAddress address) {
        if (address == null) {
            return false;
        }
        InetAddress a = unmapped(address);
        if (a.getAddress().length != network.getAddress().length) {
            return false;
        }
        return mask(a, prefixLength).equals(network);
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }

    private static InetAddress literal(String address, String original) {
        boolean v4 = IPV4.matcher(address).matches();
        boolean v6 = address.contains(":") && IPV6.matcher(address).matches();
        if (!v4 && !v6) {
            throw new IllegalArgumentException("not an IP address or CIDR: '" + original + "'");
        }
        try {
            // A literal never causes a lookup.
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address or CIDR: '" + original + "'", e);
        }
    }

    /** Maps {@code ::ffff:a.b.c.d} to the IPv4 address; anything else is returned as it is. */
    static InetAddress unmapped(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 16) {
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
            if (mapped) {
                try {
                    return Inet4Address.getByAddress(Arrays.copyOfRange(b, 12, 16));
                } catch (UnknownHostException e) {
                    return address; // cannot happen for 4 bytes
                }
            }
        }
        return address;
    }

    private static InetAddress mask(InetAddress address, int prefix) {
        byte[] b = address.getAddress();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
