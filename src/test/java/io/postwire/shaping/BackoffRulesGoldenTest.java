package io.postwire.shaping;

import io.postwire.testsupport.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.event.SiteEvent;
import io.postwire.event.SiteSuspended;
import io.postwire.event.SiteThrottled;
import io.postwire.event.SmtpReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every reply in {@code shaping/replies.golden} gets exactly the action written next to it. */
class BackoffRulesGoldenTest {

    private static final Path GOLDEN = Path.of("src", "test", "resources", "shaping", "replies.golden");

    static Stream<String> lines() throws Exception {
        return Files.readAllLines(GOLDEN).stream().filter(l -> !l.isBlank() && !l.startsWith("#"));
    }

    static SmtpReply reply(String printed) {
        return SmtpReply.parse(Integer.parseInt(printed.substring(0, 3)), printed.substring(4));
    }

    @ParameterizedTest
    @MethodSource("lines")
    void theShippedRulesDoWhatTheGoldenFileSays(String line) {
        String[] f = line.split(" \\| ");
        String site = f[0].strip();
        SmtpReply reply = reply(f[1].strip());
        String[] expected = f[2].strip().split(" ");

        Optional<BackoffRule> rule = ShapingConfig.shipped().rules().match(site, reply);
        if (expected[0].equals("none")) {
            assertEquals(Optional.empty(), rule.map(BackoffRule::name), line);
            return;
        }
        assertEquals(expected[expected.length - 1], rule.map(BackoffRule::name).orElse("none"), line);
        BackoffAction action = rule.get().action();
        if (expected[0].equals("throttle")) {
            BackoffAction.Throttle t = assertInstanceOf(BackoffAction.Throttle.class, action, line);
            assertEquals(ThrottleScope.valueOf(expected[1]), t.scope(), line);
            assertEquals(Double.parseDouble(expected[2]), t.factor(), 1e-9, line);
        } else {
            BackoffAction.Suspend s = assertInstanceOf(BackoffAction.Suspend.class, action, line);
            assertEquals(java.time.Duration.parse(expected[1]), s.duration(), line);
        }
    }

    /** The same file through the whole engine: the event names the rule and carries the reply. */
    @ParameterizedTest
    @MethodSource("lines")
    void theEngineTurnsEachMatchIntoTheRightEvent(String line) {
        String[] f = line.split(" \\| ");
        SiteKey key = SiteKey.of(f[0].strip());
        SmtpReply reply = reply(f[1].strip());
        String expected = f[2].strip();
        SiteShaper shaper = new SiteShaper(ShapingConfig.shipped(), new MutableClock("2026-11-27T10:00:00Z"));

        Optional<SiteEvent> event = shaper.observe(key, reply, false);
        if (expected.equals("none")) {
            assertEquals(Optional.empty(), event, line);
            return;
        }
        SiteEvent e = event.orElseThrow(() -> new AssertionError("no event for " + line));
        assertEquals(key.site(), e.site());
        assertEquals("default", e.pool());
        assertTrue(e.reason().contains(expected.substring(expected.lastIndexOf(' ') + 1)), e.reason());
        if (expected.startsWith("throttle")) {
            assertEquals(reply, assertInstanceOf(SiteThrottled.class, e).reply());
        } else {
            assertEquals(reply, assertInstanceOf(SiteSuspended.class, e).reply());
        }
    }

    @Test
    void theGoldenFileCoversEveryShippedRule() throws Exception {
        String all = Files.readString(GOLDEN);
        for (BackoffRule r : ShapingConfig.shipped().rules().all()) {
            assertTrue(all.contains(" " + r.name() + "\n"), "no golden line for rule " + r.name());
        }
    }
}
