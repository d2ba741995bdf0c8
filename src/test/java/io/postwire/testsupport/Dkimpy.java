package io.postwire.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Verifies DKIM signatures with dkimpy (Debian {@code python3-dkim}), an implementation
 * independent of ours. The key record is served from a file, so no DNS is involved.
 */
public final class Dkimpy {

    private static final String VERIFY = String.join("\n",
            "import sys, dkim",
            "message = open(sys.argv[1], 'rb').read()",
            "txt = open(sys.argv[2], 'rb').read()",
            "name = sys.argv[3].encode()",
            "def dnsfunc(n, timeout=5):",
            "    return txt if n.rstrip(b'.') == name else None",
            "d = dkim.DKIM(message)",
            "ok = d.verify(dnsfunc=dnsfunc)",
            "print('verified' if ok else 'failed', d.domain.decode() if d.domain else '-')",
            "sys.exit(0 if ok else 1)");

    private Dkimpy() {
    }

    /** Returns dkimpy's one-line verdict ("verified d" or "failed d"); throws if dkimpy is missing. */
    public static String verify(byte[] message, String domain, String selector, String txtRecord) throws Exception {
        String missing = PeerTools.ensureDkimpy();
        if (missing != null) {
            throw new IllegalStateException(missing);
        }
        Path dir = Files.createTempDirectory("dkimpy");
        try {
            Path msg = Files.write(dir.resolve("m.eml"), message);
            Path txt = Files.writeString(dir.resolve("key.txt"), txtRecord);
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", VERIFY, msg.toString(), txt.toString(),
                    selector + "._domainkey." + domain).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("dkimpy did not finish");
            }
            if (out.contains("No module named")) {
                throw new IllegalStateException("dkimpy is missing: apt-get install -y python3-dkim");
            }
            return out;
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // temp dir clean-up is best effort
            }
            dir.toFile().delete();
        }
    }
}
