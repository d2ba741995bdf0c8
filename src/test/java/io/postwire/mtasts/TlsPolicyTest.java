package io.postwire.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 8461 §4.1 MX matching, through the public {@link TlsPolicy#check}. */
class TlsPolicyTest {

    private final TlsPolicy enforce = new TlsPolicy.Enforce(List.of("mail.example.com", "*.example.net"));

    @Test
    void exactPatternMatchesOnlyThatHostIgnoringCaseAndTrailingDot() {
        assertTrue(enforce.check("mail.example.com"));
        assertTrue(enforce.check("MAIL.Example.COM."));
        assertFalse(enforce.check("mail2.example.com"));
        assertFalse(enforce.check("example.com"));
        assertFalse(enforce.check("x.mail.example.com"));
    }

    @Test
    void wildcardCoversExactlyOneLeftmostLabel() {
        assertTrue(enforce.check("mx1.example.net"));
        assertTrue(enforce.check("MX2.EXAMPLE.NET"));
        assertFalse(enforce.check("example.net"), "the wildcard needs a label to stand for");
        assertFalse(enforce.check("a.mx1.example.net"), "only one label");
        assertFalse(enforce.check("mx1.example.net.evil.com"));
        assertFalse(enforce.check("mx1example.net"));
    }

    @Test
    void testingChecksTheSameWayAndNoneAllowsEveryHost() {
        TlsPolicy testing = new TlsPolicy.Testing(List.of("*.example.net"));
        assertTrue(testing.check("mx.example.net"));
        assertFalse(testing.check("mx.example.org"));
        assertTrue(new TlsPolicy.None().check("anything.example.org"));
        assertFalse(enforce.check(null));
        assertEquals("enforce", enforce.mode());
        assertEquals("testing", testing.mode());
        assertEquals("none", new TlsPolicy.None().mode());
    }

    @Test
    void patternsThatAreNotAWholeLeftmostWildcardAreInvalid() {
        assertTrue(MxPatterns.valid("*.example.net"));
        assertTrue(MxPatterns.valid("mx.example.net."));
        assertFalse(MxPatterns.valid("mx*.example.net"));
        assertFalse(MxPatterns.valid("*"));
        assertFalse(MxPatterns.valid("mx.*.example.net"));
        assertFalse(MxPatterns.valid("*.*.example.net"));
        assertFalse(MxPatterns.valid("mx..example.net"));
        assertFalse(MxPatterns.valid("mx.example.net:25"));
        assertFalse(MxPatterns.valid(""));
    }
}
