package io.postwire.bench;

import io.postwire.testsupport.dns.GeneratedZone;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bench's made-up DNS for direct-to-MX delivery: {@code domains} recipient domains
 * {@code d<i>.mxbench.test}, rolled up into {@code sites} sites. Domain i's MX hosts are
 * {@code mx1.s<k>.test} ... {@code mx<h>.s<k>.test} with k = i mod sites, every one at 127.0.0.1
 * where smtp-sink listens; the app's {@code SiteNamer} names the site {@code s<k>.test} (the
 * registrable part of the best MX host).
 *
 * <p>Generated rather than listed, so that 10,000 domains cost the DNS server nothing to hold.
 */
record MxTopology(int domains, int sites, int hostsPerSite) implements GeneratedZone {

    private static final Pattern DOMAIN = Pattern.compile("d(\\d+)\\.mxbench\\.test");
    private static final Pattern HOST = Pattern.compile("mx(\\d+)\\.s(\\d+)\\.test");

    MxTopology {
        if (domains < 1 || sites < 1 || sites > domains || hostsPerSite < 1) {
            throw new IllegalArgumentException("need 1 <= sites <= domains and at least one MX host per site");
        }
    }

    /** The recipient domain of the i-th message: messages cycle over the domains. */
    String domainOf(int message) {
        return "d" + (message % domains) + ".mxbench.test";
    }

    /** The site the dispatcher names for the i-th message's domain: its record key. */
    String siteOf(int message) {
        return site((message % domains) % sites);
    }

    /** The site of a recipient domain of this topology. */
    String siteOfDomain(String domain) {
        Matcher m = DOMAIN.matcher(domain);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a bench domain: " + domain);
        }
        return site(Integer.parseInt(m.group(1)) % sites);
    }

    static String site(int k) {
        return "s" + k + ".test";
    }

    @Override
    public List<String> exchanges(String name) {
        Matcher m = DOMAIN.matcher(name);
        if (!m.matches() || !inRange(m.group(1), domains)) {
            return List.of();
        }
        int site = Integer.parseInt(m.group(1)) % sites;
        List<String> hosts = new ArrayList<>(hostsPerSite);
        for (int h = 1; h <= hostsPerSite; h++) {
            hosts.add("mx" + h + ".s" + site + ".test");
        }
        return hosts;
    }

    @Override
    public String address(String name) {
        Matcher m = HOST.matcher(name);
        if (m.matches() && inRange(m.group(2), sites) && Integer.parseInt(m.group(1)) >= 1
                && inRange(m.group(1), hostsPerSite + 1)) {
            return "127.0.0.1";
        }
        return null;
    }

    private static boolean inRange(String digits, int bound) {
        return digits.length() < 9 && Integer.parseInt(digits) < bound;
    }
}
