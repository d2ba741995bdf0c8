package io.postwire.mx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SiteNamerTest {

    private final SiteNamer namer = SiteNamer.withPresets();

    @Test
    void microsoft365AndOutlookComTenantsAreOneSite() {
        assertEquals("outlook", site(host("contoso-com.mail.protection.outlook.com", 0)));
        assertEquals("outlook", site(host("hotmail-com.olc.protection.outlook.com", 2)));
    }

    @Test
    void gmailAndGoogleWorkspaceAreOneSite() {
        assertEquals("gmail", site(host("aspmx.l.google.com", 1), host("alt1.aspmx.l.google.com", 5),
                host("aspmx2.googlemail.com", 10)));
        assertEquals("gmail", site(host("gmail-smtp-in.l.google.com", 5)));
        assertEquals("gmail", site(host("smtp.google.com", 1)));
    }

    @Test
    void yahooAndAolAreOneSite() {
        assertEquals("yahoo", site(host("mta5.am0.yahoodns.net", 1)));
        assertEquals("yahoo", site(host("mx-aol.mail.gm0.yahoodns.net", 1)));
    }

    @Test
    void otherwiseTheRegistrablePartOfTheBestHost() {
        assertEquals("example.com", site(host("mx2.backup.other.net", 20), host("mx1.mail.example.com", 10)));
        assertEquals("example.co.uk", site(host("mx1.mail.example.co.uk", 10)));
        assertEquals("example.com.au", site(host("mail.example.com.au", 10)));
        assertEquals("example.com", site(host("example.com", 0)));
        assertEquals("localhost", site(host("localhost", 0)));
    }

    @Test
    void suffixesMatchWholeLabelsOnly() {
        assertEquals("notgoogle.com", site(host("mx.notgoogle.com", 10)));
        assertEquals("outlook.com", site(host("mx.protection.outlook.com", 10)), "not a listed suffix");
    }

    @Test
    void theSiteDoesNotDependOnTheShuffledOrder() {
        MxHost a = host("mx.alpha.net", 10);
        MxHost b = host("mx.beta.net", 10);
        assertEquals("alpha.net", site(a, b));
        assertEquals("alpha.net", site(b, a));
    }

    @Test
    void aProviderAmongTheBestHostsWins() {
        assertEquals("gmail", site(host("mx.zzz.example", 10), host("aspmx.l.google.com", 10)));
        assertEquals("example.org", site(host("mx.example.org", 5), host("aspmx.l.google.com", 10)),
                "a provider only as a backup does not name the site");
    }

    @Test
    void resultsWithoutHostsFallBackToTheRecipientDomain() {
        assertEquals(Optional.empty(), namer.site(new MxResult.NullMx()));
        assertEquals("example.com", namer.site("Example.COM", new MxResult.TemporaryFailure("timeout")));
        assertEquals("xn--bcher-kva.de", namer.site("bücher.de", new MxResult.NoSuchDomain()));
        assertEquals("outlook", namer.site("contoso.com",
                new MxResult.Hosts(List.of(host("contoso-com.mail.protection.outlook.com", 0)), false)));
    }

    @Test
    void configuredRulesAddToAndOverrideThePresets() {
        SiteNamer custom = new SiteNamer(SiteRules.presets()
                .with(SiteRules.parse("*.pphosted.com=proofpoint, google.com=google-all")));

        assertEquals("proofpoint", custom.site(hosts(host("mx0a-001.pphosted.com", 10))).orElseThrow());
        assertEquals("google-all", custom.site(hosts(host("aspmx.l.google.com", 1))).orElseThrow());
        assertEquals("gmail", custom.site(hosts(host("aspmx2.googlemail.com", 1))).orElseThrow());
        assertEquals("pphosted.com", new SiteNamer(SiteRules.none())
                .site(hosts(host("mx0a-001.pphosted.com", 10))).orElseThrow());
    }

    @Test
    void theLongestMatchingSuffixWins() {
        SiteRules rules = new SiteRules(Map.of("outlook.com", "microsoft", "olc.protection.outlook.com", "consumer"));
        assertEquals(Optional.of("consumer"), rules.siteOf("hotmail-com.olc.protection.outlook.com"));
        assertEquals(Optional.of("microsoft"), rules.siteOf("x.mail.protection.outlook.com."));
    }

    @Test
    void badRulesAreRejected() {
        for (String bad : List.of("google.com", "=gmail", "google.com=", "*.=x", "a..b=x")) {
            assertThrows(IllegalArgumentException.class, () -> SiteRules.parse(bad), bad);
        }
    }

    private String site(MxHost... hosts) {
        return namer.site(hosts(hosts)).orElseThrow();
    }

    private static MxResult.Hosts hosts(MxHost... hosts) {
        return new MxResult.Hosts(List.of(hosts), false);
    }

    private static MxHost host(String name, int preference) {
        return new MxHost(name, preference, List.of(InetAddress.getLoopbackAddress()));
    }
}
