package io.postwire.mx;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One mail exchanger of a domain and the addresses to connect to, IPv4 first, then IPv6.
 *
 * @param name       the exchange host name, lower case, without the trailing dot
 * @param preference the MX preference; lower is tried first (RFC 5321 §5.1)
 * @param addresses  never empty: a host without an address is left out of a result
 */
public record MxHost(String name, int preference, List<InetAddress> addresses) {

    public MxHost {
        Objects.requireNonNull(name, "name");
        if (preference < 0 || preference > 0xFFFF) {
            throw new IllegalArgumentException("MX preference out of range: " + preference);
        }
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("MX host without addresses: " + name);
        }
    }
}
