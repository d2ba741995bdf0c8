package io.postwire.mx;

import io.netty.handler.codec.dns.DnsRecordType;
import io.postwire.mx.DnsAnswer.AddressRecord;
import io.postwire.mx.DnsAnswer.MxRecord;
import io.postwire.mx.DnsAnswer.Status;
import io.vertx.core.Future;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One uncached resolution of a domain: its MX records, then the addresses of each host, turned
 * into an {@link MxResult} and how long that result may be cached. The rules:
 *
 * <ul>
 *   <li>NXDOMAIN → {@link MxResult.NoSuchDomain}, cached for the SOA's negative TTL.</li>
 *   <li>A single MX whose exchange is the root ({@code 0 .}) → {@link MxResult.NullMx} (RFC 7505).
 *       A root exchange next to real ones breaks RFC 7505 §3; the real ones are used.</li>
 *   <li>No MX records (NODATA) → the domain's own A/AAAA as the implicit MX with preference 0
 *       (RFC 5321 §5.1); none of those either → {@link MxResult.Unroutable}.</li>
 *   <li>MX hosts without any address are left out; none left → {@link MxResult.Unroutable} when
 *       every lookup said so for sure, {@link MxResult.TemporaryFailure} when one failed.</li>
 *   <li>Any lookup that got no answer from any server → {@link MxResult.TemporaryFailure}, never
 *       cached; when only some hosts' lookups failed the others are used, cached no longer than
 *       the negative TTL so the missing ones are looked up again soon.</li>
 * </ul>
 * A result's TTL is the smallest TTL of the records it was built from, capped at
 * {@link DnsSettings#maxTtl()}.
 */
final class MxLookup {

    /** A result and how long it may be cached; zero means not at all. */
    record Resolved(MxResult result, Duration ttl) {
    }

    /** One host's addresses, the smallest TTL among them, and whether a lookup failed. */
    private record HostAddresses(List<InetAddress> addresses, long ttlSeconds, boolean failed, String failure) {
    }

    private final DnsTransport transport;
    private final DnsSettings settings;

    MxLookup(DnsTransport transport, DnsSettings settings) {
        this.transport = transport;
        this.settings = settings;
    }

    Future<Resolved> lookup(String domain) {
        return transport.query(domain, DnsRecordType.MX).compose(answer -> {
            if (answer.status() == Status.FAILED) {
                return Future.succeededFuture(temporary(answer.failure()));
            }
            if (answer.status() == Status.NO_SUCH_NAME) {
                return Future.succeededFuture(new Resolved(new MxResult.NoSuchDomain(), negativeTtl(answer)));
            }
            if (answer.mx().isEmpty()) {
                return implicitMx(domain);
            }
            List<MxRecord> records = answer.mx();
            if (records.size() == 1 && records.get(0).exchange().isEmpty()) {
                return Future.succeededFuture(new Resolved(new MxResult.NullMx(), cap(records.get(0).ttlSeconds())));
            }
            return explicitMx(domain, records);
        });
    }

    private Future<Resolved> implicitMx(String domain) {
        return addresses(domain).map(found -> {
            if (!found.addresses().isEmpty()) {
                MxHost host = new MxHost(domain, 0, found.addresses());
                return new Resolved(new MxResult.Hosts(List.of(host), true),
                        partialTtl(found.ttlSeconds(), found.failed()));
            }
            if (found.failed()) {
                return temporary(found.failure());
            }
            return new Resolved(new MxResult.Unroutable(domain + " has no MX and no A/AAAA record"),
                    settings.negativeTtl());
        });
    }

    private Future<Resolved> explicitMx(String domain, List<MxRecord> records) {
        // One lookup per distinct host name; a host listed twice keeps its lowest preference.
        Map<String, MxRecord> byHost = new LinkedHashMap<>();
        long ttl = Long.MAX_VALUE;
        for (MxRecord record : records) {
            if (record.exchange().isEmpty()) {
                continue;
            }
            ttl = Math.min(ttl, record.ttlSeconds());
            byHost.merge(record.exchange(), record, (a, b) -> a.preference() <= b.preference() ? a : b);
        }
        List<MxRecord> unique = new ArrayList<>(byHost.values());
        List<Future<HostAddresses>> lookups = new ArrayList<>();
        for (MxRecord record : unique) {
            lookups.add(addresses(record.exchange()));
        }
        long mxTtl = ttl;
        return Future.join(new ArrayList<>(lookups)).map(all -> {
            List<MxHost> hosts = new ArrayList<>();
            long minTtl = mxTtl;
            boolean anyFailed = false;
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < unique.size(); i++) {
                HostAddresses found = lookups.get(i).result();
                anyFailed |= found.failed();
                if (found.failed()) {
                    failures.add(found.failure());
                }
                if (!found.addresses().isEmpty()) {
                    hosts.add(new MxHost(unique.get(i).exchange(), unique.get(i).preference(), found.addresses()));
                    minTtl = Math.min(minTtl, found.ttlSeconds());
                }
            }
            if (!hosts.isEmpty()) {
                return new Resolved(new MxResult.Hosts(hosts, false), partialTtl(minTtl, anyFailed));
            }
            if (anyFailed) {
                return temporary("no address for any MX host of " + domain + ": " + String.join("; ", failures));
            }
            return new Resolved(new MxResult.Unroutable("no MX host of " + domain + " has an A/AAAA record"),
                    settings.negativeTtl());
        });
    }

    /** A and AAAA of one host, asked at the same time; IPv4 first in the result. */
    private Future<HostAddresses> addresses(String host) {
        Future<DnsAnswer> v4 = transport.query(host, DnsRecordType.A);
        Future<DnsAnswer> v6 = transport.query(host, DnsRecordType.AAAA);
        return Future.join(v4, v6).map(both -> {
            List<InetAddress> addresses = new ArrayList<>();
            long ttl = Long.MAX_VALUE;
            boolean failed = false;
            List<String> failures = new ArrayList<>();
            for (DnsAnswer answer : List.of(v4.result(), v6.result())) {
                if (answer.status() == Status.FAILED) {
                    failed = true;
                    failures.add(answer.failure());
                }
                for (AddressRecord record : answer.addresses()) {
                    addresses.add(record.address());
                    ttl = Math.min(ttl, record.ttlSeconds());
                }
            }
            return new HostAddresses(addresses, ttl, failed, String.join("; ", failures));
        });
    }

    private Resolved temporary(String reason) {
        return new Resolved(new MxResult.TemporaryFailure(reason), Duration.ZERO);
    }

    private Duration negativeTtl(DnsAnswer answer) {
        return answer.negativeTtlSeconds() < 0 ? settings.negativeTtl() : cap(answer.negativeTtlSeconds());
    }

    private Duration partialTtl(long ttlSeconds, boolean partial) {
        Duration ttl = cap(ttlSeconds);
        return partial && ttl.compareTo(settings.negativeTtl()) > 0 ? settings.negativeTtl() : ttl;
    }

    private Duration cap(long ttlSeconds) {
        Duration ttl = Duration.ofSeconds(Math.max(0, ttlSeconds));
        return ttl.compareTo(settings.maxTtl()) > 0 ? settings.maxTtl() : ttl;
    }
}
