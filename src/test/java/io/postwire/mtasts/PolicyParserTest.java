package io.postwire.mtasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The policy file (RFC 8461 §3.2) and the TXT record (§3.1) parsers. */
class PolicyParserTest {

    private static StsPolicy valid(String body) {
        PolicyFetch fetch = PolicyParser.parse(body);
        assertInstanceOf(PolicyFetch.Fetched.class, fetch, () -> fetch.toString());
        return ((PolicyFetch.Fetched) fetch).policy();
    }

    private static String invalid(String body) {
        PolicyFetch fetch = PolicyParser.parse(body);
        assertInstanceOf(PolicyFetch.Failed.class, fetch, () -> "accepted: " + body);
        assertEquals(TlsResult.STS_POLICY_INVALID, ((PolicyFetch.Failed) fetch).result());
        return ((PolicyFetch.Failed) fetch).reason();
    }

    @Test
    void readsTheRfcExampleWithCrlf() {
        StsPolicy policy = valid("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
                + "mx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n");
        assertEquals(StsPolicy.Mode.ENFORCE, policy.mode());
        assertEquals(List.of("mail.example.com", "*.example.net", "backupmx.example.com"), policy.mx());
        assertEquals(Duration.ofSeconds(604800), policy.maxAge());
    }

    @Test
    void toleratesLfTrailingWhitespaceBlankLinesUnknownKeysAndNoFinalNewline() {
        StsPolicy policy =
                valid("version: STSv1  \nmode:testing\t\n\nmx: MX.Example.NET.\nfuture_key: x\nmax_age: 86400");
        assertEquals(StsPolicy.Mode.TESTING, policy.mode());
        assertEquals(List.of("mx.example.net"), policy.mx());
        StsPolicy none = valid("version: STSv1\nmode: none\nmax_age: 31557600\n");
        assertEquals(StsPolicy.Mode.NONE, none.mode());
        assertEquals(Duration.ofSeconds(31557600), none.maxAge());
    }

    @Test
    void rejectsWhatIsNotAValidPolicy() {
        String tail = "mode: enforce\nmx: mx.example.net\nmax_age: 86400\n";
        assertTrue(invalid("version: STSv2\n" + tail).contains("version"));
        assertTrue(invalid(tail).contains("version"));
        invalid("version: STSv1\nmode: enforce\nmx: mx.example.net\nmax_age: 31557601\n");
        invalid("version: STSv1\nmode: enforce\nmx: mx.example.net\nmax_age: -1\n");
        invalid("version: STSv1\nmode: enforce\nmx: mx.example.net\nmax_age: 99999999999999999999\n");
        invalid("version: STSv1\nmode: enforce\nmx: mx.example.net\n");
        invalid("version: STSv1\nmode: strict\nmx: mx.example.net\nmax_age: 86400\n");
        invalid("version: STSv1\nmode: enforce\nmax_age: 86400\n");
        invalid("version: STSv1\nmode: enforce\nmx: mx*.example.net\nmax_age: 86400\n");
        invalid("version: STSv1\nmode: enforce\nmode: none\nmx: mx.example.net\nmax_age: 86400\n");
        invalid("<html>not a policy</html>");
    }

    @Test
    void txtRecordNeedsExactlyOneValidStsV1Record() {
        assertEquals(Optional.of(new StsRecord("20160831085700Z")),
                StsRecord.select(List.of("v=STSv1; id=20160831085700Z;")));
        assertEquals(Optional.of(new StsRecord("abc123")),
                StsRecord.select(List.of("v=spf1 -all", "v=STSv1;id=abc123;ext=foo")), "others and unknown fields");
        assertEquals(Optional.empty(), StsRecord.select(List.of("v=STSv1; id=a;", "v=STSv1; id=b;")));
        assertEquals(Optional.empty(), StsRecord.select(List.of()));
        assertEquals(Optional.empty(), StsRecord.select(List.of("v=STSv1; id=has-dash;")));
        assertEquals(Optional.empty(), StsRecord.select(List.of("v=STSv1;")));
        assertEquals(Optional.empty(), StsRecord.select(List.of("v=STSv1; id=" + "a".repeat(33) + ";")));
        assertEquals(Optional.empty(), StsRecord.select(List.of("v=STSv10; id=a;")));
    }
}
