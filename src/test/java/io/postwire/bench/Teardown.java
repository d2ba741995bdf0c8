package io.postwire.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Undoes what the bench started (child processes, embedded broker and database, the work
 * directory), newest first, exactly once.
 *
 * <p>It runs both from {@code main}'s {@code finally} and from a shutdown hook, so that Ctrl-C
 * does not leave an app, smtp-sink or postmaster running; hence the synchronized list that is
 * emptied before its actions run.
 */
final class Teardown {

    private final List<Runnable> actions = Collections.synchronizedList(new ArrayList<>());

    /** Runs {@code action} before everything registered so far (things started later stop first). */
    void first(Runnable action) {
        actions.add(0, action);
    }

    /** Runs {@code action} after everything else, e.g. deleting the directory the others write to. */
    void last(Runnable action) {
        actions.add(action);
    }

    void run() {
        List<Runnable> copy;
        synchronized (actions) {
            copy = new ArrayList<>(actions);
            actions.clear();
        }
        for (Runnable r : copy) {
            try {
                r.run();
            } catch (RuntimeException e) {
                System.err.println("cleanup: " + e);
            }
        }
    }

    /** SIGTERM, then SIGKILL after {@code seconds}: the app gets the chance to commit its offsets. */
    static void stopProcess(Process p, int seconds) {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }

    /** A bench's body: given the teardown to register with, returns the process exit code. */
    interface Body {
        int run(Teardown teardown) throws Exception;
    }

    /**
     * Runs a bench's main body and exits with its code: 2 for bad options, 1 for a crash. Cleanup
     * runs on every path, Ctrl-C included, so no app, smtp-sink or postmaster is left running.
     */
    static void exitWith(Body body) {
        Teardown teardown = new Teardown();
        Thread hook = new Thread(teardown::run, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        int rc;
        try {
            rc = body.run(teardown);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            rc = 2;
        } catch (Throwable e) {
            e.printStackTrace();
            rc = 1;
        } finally {
            teardown.run();
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        System.exit(rc);
    }
}
