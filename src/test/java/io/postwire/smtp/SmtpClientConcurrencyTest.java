package io.postwire.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.postwire.testsupport.TestSmtpServer;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Concurrent sends the way the dispatcher makes them: each from its own duplicated Vert.x context,
 * the client created lazily inside the first one, a fresh client and server per round, mixed
 * outcomes, started a few milliseconds apart on an empty pool. Every send must complete, with its
 * own reply, on the context it was made from, well within the (short) command timeout.
 */
class SmtpClientConcurrencyTest {

    private static final int ROUNDS = 200;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(3);
    /** Far below the command timeout: a send still running then is lost, not slow. */
    private static final long BOUND_MS = 2_500;
    private static final String[] KINDS = {"ok", "permfail", "tempfail"};

    private static final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));

    @AfterAll
    static void closeVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void sendsFromDuplicatesOfOneRootContextAllComplete() throws Exception {
        Context root = onEventLoop();
        stress(new Random(1), i -> root, 1);
    }

    @Test
    void sendsFromDuplicatesOnDifferentEventLoopsAllComplete() throws Exception {
        List<Context> roots = List.of(onEventLoop(), onEventLoop(), onEventLoop(), onEventLoop());
        stress(new Random(2), i -> roots.get(i % roots.size()), 1);
    }

    @Test
    void sendsSharingOneConnectionAllComplete() throws Exception {
        // One connection: every send after the first is a waiter handed a used connection, often
        // right after a refused transaction whose RSET is still in flight.
        Context root = onEventLoop();
        stress(new Random(3), i -> root, 0);
    }

    /** Each call from a non-Vert.x thread yields a new event-loop context, round robin. */
    private static Context onEventLoop() {
        return vertx.getOrCreateContext();
    }

    private interface Roots {
        Context forSend(int i);
    }

    /** @param connections pool limit; 0 means one connection for all sends */
    private void stress(Random random, Roots roots, int connections) throws Exception {
        int sends = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int n = 2 + random.nextInt(9);
            sends += n;
            try (TestSmtpServer server = TestSmtpServer.start(random.nextBoolean()
                    ? TestSmtpServer.Options.defaults() : TestSmtpServer.Options.defaults().withoutPipelining())) {
                RelayTarget target = RelayTarget.of(server.host(), server.port())
                        .withTls(TlsMode.OFF, false)
                        .withTimeouts(Duration.ofSeconds(3), COMMAND_TIMEOUT, COMMAND_TIMEOUT)
                        .withPool(connections == 0 ? 1 : 20, 100, Duration.ofSeconds(30));
                round(round, n, random, roots, target);
            }
        }
        System.out.printf("%s: %d rounds, %d sends%n", getClass().getSimpleName(), ROUNDS, sends);
    }

    private void round(int round, int n, Random random, Roots roots, RelayTarget target) throws Exception {
        AtomicReference<SmtpClient> client = new AtomicReference<>();
        List<String> recipients = new ArrayList<>();
        List<CompletableFuture<SmtpResult>> results = new ArrayList<>();
        List<String> wrongContext = new CopyOnWriteArrayList<>();
        for (int i = 0; i < n; i++) {
            String rcpt = KINDS[random.nextInt(KINDS.length)] + "-" + i + "@d.test";
            Buffer message = Buffer.buffer("Subject: " + i + "\r\n\r\nbody\r\n");
            recipients.add(rcpt);
            CompletableFuture<SmtpResult> result = new CompletableFuture<>();
            results.add(result);
            Context dup = VertxContext.createNewDuplicatedContext(roots.forSend(i));
            dup.runOnContext(v -> {
                // Created lazily by the first send, inside its duplicated context, like RelayRoute.
                SmtpClient c = client.updateAndGet(existing -> existing != null ? existing : new SmtpClient(vertx, target));
                c.send(SmtpEnvelope.of("a@example.org", rcpt), message)
                        .subscribe().with(r -> {
                            // The caller must continue on its own context, never on another send's.
                            if (Vertx.currentContext() != dup) {
                                wrongContext.add(rcpt);
                            }
                            result.complete(r);
                        }, result::completeExceptionally);
            });
            if (random.nextBoolean()) {
                Thread.sleep(random.nextInt(25));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOUND_MS);
        try {
            for (int i = 0; i < n; i++) {
                SmtpResult r;
                try {
                    r = results.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    fail("round " + round + ": send " + i + " to " + recipients.get(i) + " of " + recipients
                            + " did not complete within " + BOUND_MS + " ms");
                    return;
                }
                assertReply(round, recipients.get(i), r);
            }
            assertEquals(List.of(), wrongContext, "round " + round + ": completed on another context");
        } finally {
            SmtpClient c = client.get();
            if (c != null) {
                c.close().await().atMost(Duration.ofSeconds(10));
            }
        }
    }

    private static void assertReply(int round, String rcpt, SmtpResult r) {
        assertEquals(1, r.recipients().size(), r.toString());
        RecipientResult result = r.recipients().get(0);
        assertEquals(rcpt, result.recipient(), "round " + round + ": reply for another recipient: " + r);
        assertNotNull(result.reply(), "round " + round + ": " + rcpt + " got no reply: " + r);
        int expected = rcpt.startsWith("ok") ? 250 : rcpt.startsWith("permfail") ? 550 : 451;
        assertEquals(expected, result.reply().code(), "round " + round + ": " + rcpt + ": " + r);
    }
}
