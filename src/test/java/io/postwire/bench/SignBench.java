package io.postwire.bench;

import io.postwire.dkim.DkimKey;
import io.postwire.dkim.DkimKeys;
import io.postwire.dkim.DkimSigner;
import io.postwire.event.EventCodec;
import io.postwire.event.EventEnvelope;
import io.postwire.event.SendRequested;
import io.postwire.message.MessageComposer;
import io.postwire.message.MessageContent;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * CPU cost per message of the dispatcher's pure-CPU steps, in this JVM, with nothing else
 * running: decode the record, compose the MIME message, DKIM-sign it, and the RSA-2048 private
 * key operation on its own. Gives the ceiling that signing alone puts on msgs/s for a number of
 * cores. Run with
 * {@code ./mvnw -o -q org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.mainClass=io.postwire.bench.SignBench -Dexec.classpathScope=test}.
 */
public final class SignBench {

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        KeyPair keys = DkimKeys.generateRsa2048();
        DkimKey key = new DkimKey("example.test", "bench", keys.getPrivate());
        DkimSigner signer = new DkimSigner(key);
        MessageComposer composer = new MessageComposer();
        EventCodec codec = new EventCodec();
        String body = SendRequestedProducer.body(5 * 1024);
        SendRequested s = new SendRequested("m-1", "m-1.0", "bench@example.test", "user1@d1.bench.test", "Bench",
                List.of("user1@d1.bench.test"), List.of(), "Benchmark message 1", body, null, null, Map.of(),
                List.of(), null, Instant.now(), null);
        byte[] record = codec.write(EventEnvelope.of("postwire/bench", Instant.now(), s));
        MessageContent content = new MessageContent("Bench <bench@example.test>", List.of("user1@d1.bench.test"),
                List.of(), "Benchmark message 1", body, null, Map.of("X-Postwire-Id", "m-1.0"),
                "m-1@example.test", Instant.now());
        byte[] composed = composer.compose(content);
        System.out.printf(Locale.ROOT, "java %s, %d CPUs; composed message %d bytes, record %d bytes%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), composed.length,
                record.length);

        measure("EventCodec.read (5 KB SendRequested)", seconds, 1, () -> codec.read(record));
        measure("MessageComposer.compose", seconds, 1, () -> composer.compose(content));
        measure("RSA-2048 SHA256withRSA sign only", seconds, 1, () -> {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(keys.getPrivate());
            rsa.update(composed, 0, 600);
            return rsa.sign();
        });
        measure("DkimSigner.sign (whole message)", seconds, 1, () -> signer.sign(composed, Instant.now()));
        measure("decode+compose+sign", seconds, 1, () -> {
            codec.read(record);
            return signer.sign(composer.compose(content), Instant.now());
        });
        int threads = Runtime.getRuntime().availableProcessors();
        measure("DkimSigner.sign (whole message)", seconds, threads, () -> signer.sign(composed, Instant.now()));
        measure("decode+compose+sign", seconds, threads, () -> {
            codec.read(record);
            return signer.sign(composer.compose(content), Instant.now());
        });
        System.exit(0);
    }

    private static void measure(String what, int seconds, int threads, Callable<Object> op) throws Exception {
        // warm-up, then a timed interval per thread
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        for (int i = 0; i < 1_000_000 && System.nanoTime() < warmEnd; i++) {
            op.call();
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Long>> futures = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                long n = 0;
                while (System.nanoTime() < end && n < 100_000_000L) {
                    op.call();
                    n++;
                }
                return n;
            }));
        }
        long total = 0;
        for (Future<Long> f : futures) {
            total += f.get();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        System.out.printf(Locale.ROOT, "%-40s threads=%d  %8.0f ops/s  %7.3f ms/op per thread%n", what, threads,
                total / elapsed, threads * elapsed * 1000 / total);
    }
}
