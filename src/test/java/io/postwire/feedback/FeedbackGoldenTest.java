package io.postwire.feedback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.event.EventCodec;
import io.postwire.event.EventType;
import io.postwire.event.PostwireEvent;
import io.postwire.feedback.Feedback.ComplaintReport;
import io.postwire.feedback.Feedback.DeliveryReport;
import io.postwire.feedback.Feedback.Unrecognised;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: each {@code feedback/dsn/*.eml} and {@code feedback/arf/*.eml} is read by
 * {@link FeedbackReader} and mapped by {@link FeedbackEvents}; the outcome must equal the
 * {@code # then} part of the {@code .expected} file next to it.
 *
 * <p>The {@code # given} part names the envelope recipient and the send ({@code send: messageId
 * recipientId sender recipient}). {@code b+token} in the sample and the envelope stands for the
 * real VERP token of the send's recipientId ({@code B+TOKEN} for its upper-case form), since a
 * token depends on the secret. Run with {@code -Dgolden.update=true} to rewrite the {@code # then}
 * parts after a deliberate change, and review the diff.
 */
class FeedbackGoldenTest {

    static final byte[] SECRET = "golden-test-verp-secret".getBytes(StandardCharsets.US_ASCII);
    static final Instant RECEIVED_AT = Instant.parse("2026-11-28T12:00:00Z");
    private static final Path ROOT = Path.of("src", "test", "resources", "feedback");
    private static final String THEN = "# then";

    private final VerpToken verp = new VerpToken(SECRET);
    private final FeedbackReader reader = new FeedbackReader(verp);
    private final EventCodec codec = new EventCodec();
    private static final com.fasterxml.jackson.databind.ObjectMapper SORTED = com.fasterxml.jackson.databind.json.JsonMapper
            .builder().enable(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY).build();

    static Stream<Path> samples() throws Exception {
        return Stream.of("dsn", "arf").flatMap(dir -> {
            try {
                return Files.list(ROOT.resolve(dir)).filter(p -> p.toString().endsWith(".eml")).sorted().toList().stream();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void thereAreEnoughSamples() throws Exception {
        assertTrue(samples().filter(p -> p.getParent().endsWith("dsn")).count() >= 6);
        assertTrue(samples().filter(p -> p.getParent().endsWith("arf")).count() >= 3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void readsAsExpected(Path eml) throws Exception {
        Path expectedFile = Path.of(eml.toString().replaceFirst("\\.eml$", ".expected"));
        List<String> expected = Files.readAllLines(expectedFile, StandardCharsets.UTF_8);
        int then = expected.indexOf(THEN);
        assertTrue(then > 0, expectedFile + " needs a '# given' and a '# then' part");
        String envelope = value(expected, "envelope-to:");
        String[] send = value(expected, "send:").split("\\s+");
        SendRef ref = new SendRef(send[0], send[1], send[2], send[3]);

        String local = verp.encode(ref.recipientId()).orElseThrow().substring(VerpToken.PREFIX.length());
        String raw = Files.readString(eml, StandardCharsets.UTF_8)
                .replace("b+token", VerpToken.PREFIX + local)
                .replace("B+TOKEN", (VerpToken.PREFIX + local).toUpperCase(Locale.ROOT));
        Feedback report = reader.read(envelope.replace("b+token", VerpToken.PREFIX + local)
                .replace("B+TOKEN", (VerpToken.PREFIX + local).toUpperCase(Locale.ROOT)),
                raw.getBytes(StandardCharsets.UTF_8));
        // Put the placeholder back so the golden file does not depend on the token bytes.
        List<String> actual = describe(report, FeedbackEvents.toEvents(report, ref, RECEIVED_AT)).stream()
                .map(l -> l.replace(local, "token"))
                .toList();

        if (Boolean.getBoolean("golden.update")) {
            List<String> rewritten = new ArrayList<>(expected.subList(0, then + 1));
            rewritten.addAll(actual);
            Files.write(expectedFile, rewritten, StandardCharsets.UTF_8);
        }
        assertEquals(String.join("\n", expected.subList(then + 1, expected.size())), String.join("\n", actual));
    }

    private List<String> describe(Feedback report, List<PostwireEvent> events) throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("recipientId: " + report.recipientId().orElse("-"));
        if (report instanceof DeliveryReport d) {
            lines.add("delivery-report: reportingMta=" + d.reportingMta() + " arrivalDate=" + d.arrivalDate());
            lines.add("original: " + d.original());
            d.recipients().forEach(r -> lines.add("status: " + r));
        } else if (report instanceof ComplaintReport c) {
            lines.add("complaint-report: " + c.fields());
            lines.add("original: " + c.original());
        } else if (report instanceof Unrecognised u) {
            lines.add("unrecognised: " + u.reason());
        }
        for (PostwireEvent e : events) {
            // Keys sorted: Jackson's order of the derived recipientDomain/senderDomain properties
            // follows reflection and may differ between JVM runs; the golden file must not.
            lines.add("event: " + EventType.of(e).typeName() + " " + SORTED.writeValueAsString(
                    SORTED.readValue(codec.mapper().writeValueAsString(e), java.util.Map.class)));
        }
        return lines;
    }

    private static String value(List<String> lines, String key) {
        return lines.stream().filter(l -> l.startsWith(key)).findFirst()
                .map(l -> l.substring(key.length()).strip())
                .orElseThrow(() -> new IllegalArgumentException("missing " + key));
    }
}
