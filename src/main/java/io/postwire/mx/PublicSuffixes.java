package io.postwire.mx;

import java.util.Set;

/**
 * The registrable part of a host name ("example.co.uk" of "mx1.mail.example.co.uk"), from a
 * small built-in list of common two-label public suffixes. The full Public Suffix List has
 * thousands of rules and changes weekly; here a miss only means two domains share (or do not
 * share) a throttle bucket, never a wrong delivery, and the big providers are named by
 * {@link SiteRules} anyway. So a short list of the second-level suffixes that mail actually
 * comes across is enough.
 */
final class PublicSuffixes {

    private static final Set<String> SECOND_LEVEL = Set.of(
            "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "ltd.uk", "plc.uk", "net.uk", "sch.uk", "nhs.uk",
            "com.au", "net.au", "org.au", "edu.au", "gov.au", "asn.au", "id.au",
            "co.nz", "net.nz", "org.nz", "ac.nz", "govt.nz", "geek.nz",
            "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "ad.jp", "gr.jp",
            "co.kr", "or.kr", "ne.kr", "ac.kr", "go.kr",
            "com.cn", "net.cn", "org.cn", "edu.cn", "gov.cn",
            "com.hk", "net.hk", "org.hk", "edu.hk", "com.tw", "net.tw", "org.tw", "edu.tw",
            "com.sg", "net.sg", "org.sg", "edu.sg", "com.my", "net.my", "org.my",
            "co.in", "net.in", "org.in", "ac.in", "gov.in", "firm.in", "gen.in", "ind.in",
            "co.id", "or.id", "ac.id", "web.id", "co.th", "in.th", "ac.th", "com.vn", "com.ph",
            "com.br", "net.br", "org.br", "gov.br", "edu.br", "com.ar", "net.ar", "org.ar",
            "com.mx", "org.mx", "gob.mx", "com.co", "net.co", "com.pe", "com.uy", "com.ve", "cl.cl",
            "co.za", "org.za", "net.za", "ac.za", "gov.za", "co.ke", "co.ug", "co.tz", "com.ng", "com.eg",
            "co.il", "org.il", "ac.il", "gov.il", "com.tr", "net.tr", "org.tr", "gen.tr", "web.tr",
            "com.ua", "net.ua", "org.ua", "kiev.ua", "com.ru", "net.ru", "org.ru", "msk.ru", "spb.ru",
            "com.pl", "net.pl", "org.pl", "co.at", "or.at", "com.es", "org.es", "com.gr", "com.pt",
            "com.cy", "com.mt", "co.hu", "com.sa", "com.pk", "com.bd", "com.lk", "com.qa", "co.ae");

    private PublicSuffixes() {
    }

    /** The last two labels, or three when the last two are a listed public suffix. */
    static String registrable(String host) {
        String name = DnsResponseReader.normalize(host);
        String[] labels = name.split("\\.");
        if (labels.length <= 2) {
            return name;
        }
        String lastTwo = labels[labels.length - 2] + "." + labels[labels.length - 1];
        return SECOND_LEVEL.contains(lastTwo) ? labels[labels.length - 3] + "." + lastTwo : lastTwo;
    }
}
