package io.postwire.smtpd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every scripted dialogue in {@code src/test/resources/smtpd/dialogues}; the format is in {@link Dialogue}. */
class SmtpdDialogueTest {

    static Stream<String> dialogues() throws IOException, URISyntaxException {
        return files().stream().map(p -> p.getFileName().toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dialogues")
    void dialogue(String name) throws Exception {
        new Dialogue(dir().resolve(name)).run();
    }

    @Test
    void theDialoguesAreThere() throws Exception {
        assertTrue(files().size() >= 25, "expected at least 25 dialogues, found " + files().size());
    }

    @Test
    void aWrongExpectationFailsTheDialogue(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path wrong = Files.writeString(tmp.resolve("wrong.smtp"), "S: 220 \nC: NOOP\nS: 251 \n");
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> new Dialogue(wrong).run());
        assertTrue(e.getMessage().contains("wrong.smtp:3"), e.getMessage());
        Path unread = Files.writeString(tmp.resolve("unread.smtp"), "S: 220 \nC: NOOP\n");
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> new Dialogue(unread).run());
    }

    private static List<Path> files() throws IOException, URISyntaxException {
        try (Stream<Path> s = Files.list(dir())) {
            return s.filter(p -> p.getFileName().toString().endsWith(".smtp")).sorted().toList();
        }
    }

    private static Path dir() throws URISyntaxException {
        return Path.of(SmtpdDialogueTest.class.getResource("/smtpd/dialogues").toURI());
    }
}
