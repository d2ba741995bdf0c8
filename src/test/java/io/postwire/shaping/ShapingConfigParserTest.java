package io.postwire.shaping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.event.SiteLimits;
import io.postwire.event.SmtpReply;
import io.postwire.testsupport.MutableClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShapingConfigParserTest {

    @Test
    void presetsShipForTheThreeBigProviders() {
        ShapingConfig c = ShapingConfig.shipped();
        assertEquals(new SiteLimits(5, SiteLimits.Rate.parse("20/min"), 50, SiteLimits.Rate.parse("1200/h"), 0),
                c.limitsFor("outlook"));
        assertEquals(20, c.limitsFor("yahoo").messagesPerConnection());
        assertEquals("3600/h", c.limitsFor("gmail").messageRate().toString());
        assertEquals(c.defaults(), c.limitsFor("example.org"));
        assertEquals(Duration.ofMinutes(5), c.rampInterval());
        assertEquals(8, c.rules().all().size());
    }

    @Test
    void configurationOverridesPresetsKeyByKey() {
        ShapingConfig c = ShapingConfigParser.parse(Map.of(
                "postwire.shaping.sites.outlook.max-connections", "8",
                "postwire.shaping.defaults.daily-cap", "100_000",
                "postwire.shaping.sites.\"example.co.uk\".message-rate", "30/s",
                "postwire.shaping.ramp-step", "0.25",
                "quarkus.http.port", "8080"));
        SiteLimits outlook = c.limitsFor("outlook");
        assertEquals(8, outlook.maxConnections());
        assertEquals("1200/h", outlook.messageRate().toString(), "untouched keys keep the preset");
        assertEquals(100_000, outlook.dailyCap(), "a preset without a daily cap takes the default one");
        SiteLimits uk = c.limitsFor("example.co.uk");
        assertEquals("30/s", uk.messageRate().toString());
        assertEquals(c.defaults().maxConnections(), uk.maxConnections());
        assertEquals(0.25, c.rampStep());
    }

    @Test
    void rulesAreDataAndCanBeChangedDisabledOrAdded() {
        ShapingConfig c = ShapingConfigParser.parse(Map.of(
                "postwire.shaping.rules.yahoo-tss04.action", "suspend",
                "postwire.shaping.rules.yahoo-tss04.duration", "30m",
                "postwire.shaping.rules.outlook-blocklist.enabled", "false",
                "postwire.shaping.rules.acme-slow-down.code", "452",
                "postwire.shaping.rules.acme-slow-down.text", "slow down",
                "postwire.shaping.rules.acme-slow-down.site", "acme.test",
                "postwire.shaping.rules.acme-slow-down.action", "throttle",
                "postwire.shaping.rules.acme-slow-down.factor", "0.8"));
        BackoffRule tss04 = c.rules().match("yahoo", SmtpReply.parse(421, "4.7.0 [TSS04] deferred")).orElseThrow();
        assertEquals(new BackoffAction.Suspend(Duration.ofMinutes(30)), tss04.action());
        assertTrue(c.rules().match("outlook", SmtpReply.parse(550, "5.7.1 on our block list (S3150)")).isEmpty());
        BackoffRule acme = c.rules().match("acme.test", SmtpReply.parse(452, "Please slow down")).orElseThrow();
        assertEquals(new BackoffAction.Throttle(0.8, ThrottleScope.RATE), acme.action());
        assertTrue(c.rules().match("other.test", SmtpReply.parse(452, "Please slow down")).isEmpty(), "site-bound");
    }

    @Test
    void presetsCanBeSwitchedOff() {
        assertThrows(IllegalArgumentException.class,
                () -> ShapingConfigParser.parse(Map.of("postwire.shaping.presets", "false")));
        ShapingConfig c = ShapingConfigParser.parse(Map.of("postwire.shaping.presets", "false",
                "postwire.shaping.defaults.max-connections", "2",
                "postwire.shaping.defaults.connection-rate", "1/s",
                "postwire.shaping.defaults.messages-per-connection", "10",
                "postwire.shaping.defaults.message-rate", "1/s"));
        assertEquals(c.defaults(), c.limitsFor("outlook"));
        assertEquals(0, c.rules().all().size());
    }

    @Test
    void badConfigurationIsRefusedWithEveryProblemNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShapingConfigParser.parse(Map.of(
                        "postwire.shaping.sites.outlook.max-connections", "lots",
                        "postwire.shaping.sites.gmail.max-conections", "3",
                        "postwire.shaping.sites.yahoo.message-rate", "100 per hour",
                        "postwire.shaping.sites.dest.test.max-connections", "0",
                        "postwire.shaping.rules.mine.action", "explode",
                        "postwire.shaping.rules.other.action", "throttle",
                        "postwire.shaping.rules.bad-regex.text", "(unclosed",
                        "postwire.shaping.rules.bad-regex.action", "suspend",
                        "postwire.shaping.ramp-interval", "soon",
                        "postwire.shaping.ramp-steps", "0.1")));
        String m = e.getMessage();
        for (String expected : new String[] {
            "postwire.shaping.sites.outlook.max-connections: cannot use 'lots': expected a whole number",
            "postwire.shaping.sites.gmail.max-conections: unknown field 'max-conections'",
            "postwire.shaping.sites.yahoo.message-rate: cannot use '100 per hour': rate must look like 10/s",
            "postwire.shaping.sites.dest.test: maxConnections must be >= 1, was 0",
            "postwire.shaping.rules.mine.action: expected throttle or suspend, was 'explode'",
            "postwire.shaping.rules.other: rule other: needs at least one of code, enhanced-code, text",
            "postwire.shaping.rules.bad-regex.text: cannot use '(unclosed': not a regular expression",
            "postwire.shaping.ramp-interval: cannot use 'soon': expected a duration",
            "postwire.shaping.ramp-steps: unknown key"}) {
            assertTrue(m.contains(expected), "missing <" + expected + "> in:\n" + m);
        }
    }

    @Test
    void durationsAndRatesReadTheWayOperatorsWriteThem() {
        assertEquals(Duration.ofSeconds(90), ShapingConfigParser.duration("90s"));
        assertEquals(Duration.ofHours(1), ShapingConfigParser.duration("PT1H"));
        assertEquals(Duration.ofDays(1), ShapingConfigParser.duration("1d"));
        SiteLimits.Rate r = SiteLimits.Rate.parse("600/min");
        assertEquals(10.0, r.perSecond());
        assertEquals("0.5/s", SiteLimits.Rate.parse("1/s").times(0.5).toString());
        assertEquals("33.333/h", SiteLimits.Rate.parse("100/h").times(1 / 3.0).toString());
        assertInstanceOf(IllegalArgumentException.class, assertThrows(RuntimeException.class,
                () -> SiteLimits.Rate.parse("0/s")));
    }

    @Test
    void aPoolOverridesSomeLimitsForEverySiteOrForOneAndTheShaperEnforcesThem() {
        ShapingConfig c = ShapingConfigParser.parse(Map.of(
                "postwire.shaping.pools.warm.defaults.message-rate", "100/h",
                "postwire.shaping.pools.warm.sites.outlook.max-connections", "1",
                "postwire.shaping.pools.warm.sites.outlook.message-rate", "50/h"));
        SiteLimits outlook = c.limitsFor("outlook");
        SiteLimits warmOutlook = c.limitsFor(new SiteKey("warm", "outlook"));
        assertEquals("50/h", warmOutlook.messageRate().toString(), "the site's own override wins");
        assertEquals(1, warmOutlook.maxConnections());
        assertEquals(outlook.connectionRate(), warmOutlook.connectionRate(), "fields not overridden are the site's");
        SiteLimits gmail = c.limitsFor("gmail");
        SiteLimits warmGmail = c.limitsFor(new SiteKey("warm", "gmail"));
        assertEquals("100/h", warmGmail.messageRate().toString(), "the pool's defaults apply to every site");
        assertEquals(gmail.maxConnections(), warmGmail.maxConnections());
        assertEquals(gmail, c.limitsFor(SiteKey.of("gmail")), "other pools keep the site's limits");

        MutableClock clock = new MutableClock("2026-11-27T10:00:00Z");
        SiteShaper shaper = new SiteShaper(c, clock);
        SiteKey warm = new SiteKey("warm", "outlook");
        assertInstanceOf(Admission.Permit.class, shaper.admit(warm));
        Admission.WaitUntil w = assertInstanceOf(Admission.WaitUntil.class, shaper.admit(warm));
        assertEquals(clock.instant().plusSeconds(72), w.at(), "50/h is one message every 72 s");
        assertInstanceOf(Admission.Permit.class, shaper.admit(SiteKey.of("outlook")), "the default pool is apart");
    }

    @Test
    void badPoolKeysAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShapingConfigParser.parse(Map.of(
                "postwire.shaping.pools.warm.defaults.message-rate", "fast",
                "postwire.shaping.pools.warm.limits.max-connections", "2")));
        assertTrue(e.getMessage().contains("pools.warm.defaults.message-rate: cannot use 'fast'"), e.getMessage());
        assertTrue(e.getMessage().contains("pools.warm.limits.max-connections: expected"), e.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> ShapingConfigParser.parse(
                Map.of("postwire.shaping.pools.warm.sites.outlook.max-connections", "0")));
        assertTrue(zero.getMessage().contains("maxConnections must be >= 1"), zero.getMessage());
    }
}
