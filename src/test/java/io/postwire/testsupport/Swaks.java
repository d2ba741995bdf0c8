package io.postwire.testsupport;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs swaks, a real SMTP client written by others, against one of our listeners on 127.0.0.1. */
public final class Swaks {

    /** swaks's exit code and its whole transcript (swaks prints every line it sends and receives). */
    public record Result(int exit, String output) {
    }

    private Swaks() {
    }

    public static Result run(int port, String... args) {
        assertNull(PeerTools.ensureSwaks());
        List<String> command = new ArrayList<>(List.of(PeerTools.SWAKS.toString(),
                "--server", "127.0.0.1", "--port", Integer.toString(port),
                "--helo", "client.test", "--timeout", "40"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "swaks did not finish");
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run swaks", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
