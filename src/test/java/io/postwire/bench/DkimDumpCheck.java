package io.postwire.bench;

import static io.postwire.bench.BenchLog.log;

import io.postwire.testsupport.Dkimpy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Phase 1's proof that the measured path signs correctly: every message smtp-sink dumped is
 * verified by dkimpy, an implementation independent of ours.
 *
 * <p>The verdict is one line ({@code dkim verified K/N (...)}) that goes verbatim into the result's
 * {@code dkim} field; {@link #allVerified} reads it back to decide the exit code.
 */
final class DkimDumpCheck {

    private static final Pattern VERIFIED = Pattern.compile("^dkim verified (\\d+)/(\\d+)");

    private final Path verifier;
    private final BenchDkimKey key;

    /** @param verifier the shared harness's script; if it is not executable, dkimpy is called directly */
    DkimDumpCheck(Path verifier, BenchDkimKey key) {
        this.verifier = verifier;
        this.key = key;
    }

    String verify(Path dumpDir) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dumpDir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        if (Files.isExecutable(verifier)) {
            Process p = new ProcessBuilder(verifier.toString(), "--pubkey-file", key.txtFile().toString(), "--selector",
                    BenchDkimKey.SELECTOR, "--domain", BenchDkimKey.DOMAIN, dumpDir.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "dkim verify timed out";
            }
            out.lines().filter(l -> l.startsWith("FAIL")).forEach(l -> log("dkim: %s", l));
            String last = out.lines().reduce((a, b) -> b).orElse("");
            return last + " (dkimpy via " + verifier.getFileName() + ", " + files.size() + " dumps)";
        }
        // Fallback without the shared harness: strip smtp-sink's framing here and ask dkimpy.
        String txt = Files.readString(key.txtFile()).strip();
        int ok = 0;
        for (Path f : files) {
            String verdict = Dkimpy.verify(stripSinkFraming(Files.readAllBytes(f)), BenchDkimKey.DOMAIN,
                    BenchDkimKey.SELECTOR, txt);
            if (verdict.startsWith("verified " + BenchDkimKey.DOMAIN)) {
                ok++;
            } else {
                log("dkim: %s: %s", f.getFileName(), verdict);
            }
        }
        return "dkim verified " + ok + "/" + files.size() + " (dkimpy via io.postwire.testsupport.Dkimpy)";
    }

    /** True if the verdict says all of at least one message verified. */
    static boolean allVerified(String verdict) {
        Matcher m = VERIFIED.matcher(verdict);
        return m.find() && m.group(1).equals(m.group(2)) && Integer.parseInt(m.group(1)) > 0;
    }

    /** Undoes smtp-sink's dump framing (X-* lines, its Received header, trailing blank line); CRLF line ends. */
    static byte[] stripSinkFraming(byte[] data) {
        String[] lines = new String(data, StandardCharsets.ISO_8859_1).split("\n", -1);
        int i = 0;
        while (i < lines.length && lines[i].matches("^X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args): .*")) {
            i++;
        }
        if (i < lines.length && lines[i].startsWith("Received: ")) {
            int j = i + 1;
            while (j < lines.length && !lines[j].isEmpty() && (lines[j].charAt(0) == ' ' || lines[j].charAt(0) == '\t')) {
                j++;
            }
            if (String.join("\n", Arrays.copyOfRange(lines, i, j)).contains("(smtp-sink)")) {
                i = j;
            }
        }
        String msg = String.join("\n", Arrays.copyOfRange(lines, i, lines.length));
        if (msg.endsWith("\n\n")) {
            msg = msg.substring(0, msg.length() - 1);
        }
        return msg.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }
}
