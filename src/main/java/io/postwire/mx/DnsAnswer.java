package io.postwire.mx;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One server's answer to one question, decoded and detached from Netty's buffers.
 *
 * @param status             what kind of answer it is
 * @param mx                 the MX records for the name asked (following CNAMEs), if MX was asked
 * @param addresses          the A or AAAA records for the name asked (following CNAMEs)
 * @param negativeTtlSeconds for NXDOMAIN and empty answers, the negative TTL from the SOA in the
 *                           authority section (RFC 2308 §5), or -1 when there is none
 * @param failure            why there is no answer, for {@link Status#FAILED}; else empty
 * @param txt                the TXT records for the name asked (following CNAMEs), if TXT was
 *                           asked: each record's character-strings joined without separator
 */
record DnsAnswer(Status status, List<MxRecord> mx, List<AddressRecord> addresses, long negativeTtlSeconds,
        String failure, List<String> txt) {

    enum Status {
        /** NOERROR: the records asked for, possibly none (NODATA). */
        ANSWERED,
        /** NXDOMAIN: the name does not exist. */
        NO_SUCH_NAME,
        /** No server gave a usable answer: timeouts, SERVFAIL, REFUSED, garbage. */
        FAILED
    }

    /** @param exchange lower case without the trailing dot; "" for the root (null MX) */
    record MxRecord(int preference, String exchange, long ttlSeconds) {
        MxRecord {
            Objects.requireNonNull(exchange, "exchange");
        }
    }

    record AddressRecord(InetAddress address, long ttlSeconds) {
        AddressRecord {
            Objects.requireNonNull(address, "address");
        }
    }

    DnsAnswer {
        Objects.requireNonNull(status, "status");
        mx = List.copyOf(mx);
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(failure, "failure");
        txt = List.copyOf(txt);
    }

    /** An answer without TXT records: what every MX, A and AAAA query gets. */
    DnsAnswer(Status status, List<MxRecord> mx, List<AddressRecord> addresses, long negativeTtlSeconds,
            String failure) {
        this(status, mx, addresses, negativeTtlSeconds, failure, List.of());
    }

    static DnsAnswer failed(String why) {
        return new DnsAnswer(Status.FAILED, List.of(), List.of(), -1, why);
    }
}
