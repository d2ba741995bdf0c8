package io.postwire.dispatch;

import io.postwire.event.SendRequested;
import io.postwire.shaping.SiteKey;
import io.netty.util.NetUtil;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Chooses the sending pool of each send ({@link PoolsConfig}): the first pool, by name, that
 * lists the sender's domain, else the first that lists one of the send's tags, else
 * {@link SiteKey#DEFAULT_POOL}. Chosen per attempt from the configuration, so a send carries no
 * pool and a changed configuration applies to its next attempt.
 */
@ApplicationScoped
public class SendingPools {

    /** A pool as the dispatcher uses it: its name (the shaping key's pool), address and EHLO name. */
    public record Pool(String name, Optional<String> sourceAddress, Optional<String> heloName) {
    }

    private record Rule(Pool pool, Set<String> senderDomains, Set<String> tags) {
    }

    private final List<Rule> rules = new ArrayList<>();
    private final Pool fallback;

    @Inject
    SendingPools(PoolsConfig config) {
        this(config.pools());
    }

    /** From the pools by name; for tests. */
    SendingPools(Map<String, PoolsConfig.Pool> pools) {
        Pool def = new Pool(SiteKey.DEFAULT_POOL, Optional.empty(), Optional.empty());
        for (String name : pools.keySet().stream().sorted().toList()) {
            PoolsConfig.Pool p = pools.get(name);
            Pool pool = new Pool(name.strip().toLowerCase(Locale.ROOT), p.sourceAddress().map(a -> literal(name, a)),
                    p.heloName().map(String::strip));
            if (pool.name().equals(SiteKey.DEFAULT_POOL)) {
                def = pool;
            }
            Set<String> domains = lower(p.senderDomains());
            Set<String> tags = lower(p.tags());
            if (!domains.isEmpty() || !tags.isEmpty()) {
                rules.add(new Rule(pool, domains, tags));
            }
        }
        this.fallback = def;
    }

    /** The default pool; calling it makes a configuration mistake fail the start, not the first send. */
    public Pool defaultPool() {
        return fallback;
    }

    /** The pool this send's next attempt leaves from. */
    public Pool forSend(SendRequested s) {
        String domain = s.senderDomain();
        for (Rule r : rules) {
            if (r.senderDomains().contains(domain)) {
                return r.pool();
            }
        }
        if (s.tags() != null && !s.tags().isEmpty()) {
            for (Rule r : rules) {
                for (String tag : s.tags()) {
                    if (r.tags().contains(tag.toLowerCase(Locale.ROOT))) {
                        return r.pool();
                    }
                }
            }
        }
        return fallback;
    }

    private static Set<String> lower(Optional<List<String>> values) {
        return values.orElse(List.of()).stream().map(v -> v.strip().toLowerCase(Locale.ROOT))
                .filter(v -> !v.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    /** Only an IP literal (checked without DNS): a host name here would mean a lookup per connection. */
    private static String literal(String pool, String address) {
        String a = address.strip();
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(a);
        if (bytes == null) {
            throw new IllegalArgumentException("postwire.pools." + pool + ".source-address must be an IP address, was '"
                    + address + "'");
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("postwire.pools." + pool + ".source-address: " + e.getMessage(), e);
        }
    }
}
