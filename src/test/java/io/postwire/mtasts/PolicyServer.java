package io.postwire.mtasts;

import io.postwire.testsupport.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTPS server on 127.0.0.1 playing {@code mta-sts.<domain>} for many test domains at once:
 * it answers by the Host header with what the test set for that host, and counts requests per
 * host so tests can prove a policy came from the cache.
 */
final class PolicyServer implements AutoCloseable {

    /** What to send for one host; {@code chunked} streams the body without Content-Length. */
    record Reply(int status, String contentType, String body, Map<String, String> headers, boolean chunked,
            boolean hang) {

        static Reply policy(String body) {
            return new Reply(200, "text/plain; charset=utf-8", body, Map.of(), false, false);
        }

        Reply withStatus(int code, Map<String, String> extra) {
            return new Reply(code, contentType, body, extra, chunked, hang);
        }

        Reply withContentType(String type) {
            return new Reply(status, type, body, headers, chunked, hang);
        }

        Reply streamed() {
            return new Reply(status, contentType, body, headers, true, hang);
        }

        static Reply silence() {
            return new Reply(200, "text/plain", "", Map.of(), false, true);
        }
    }

    private final HttpServer server;
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final Map<String, String> paths = new ConcurrentHashMap<>();

    PolicyServer(Vertx vertx, TestCertificates certificate) throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(certificate.keyCert())
                .setHost("127.0.0.1").setPort(0));
        server.requestHandler(this::handle);
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    int port() {
        return server.actualPort();
    }

    PolicyServer serve(String host, Reply reply) {
        replies.put(host, reply);
        return this;
    }

    /** Requests received for {@code host}. */
    int requests(String host) {
        AtomicInteger count = requests.get(host);
        return count == null ? 0 : count.get();
    }

    /** The path last requested from {@code host}. */
    String lastPath(String host) {
        return paths.get(host);
    }

    private void handle(HttpServerRequest request) {
        String host = request.authority() == null ? "" : request.authority().host().toLowerCase(Locale.ROOT);
        requests.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
        paths.put(host, request.path());
        Reply reply = replies.get(host);
        if (reply == null) {
            request.response().setStatusCode(404).end();
            return;
        }
        if (reply.hang()) {
            return; // never answer: the client's timeout must end it
        }
        var response = request.response().setStatusCode(reply.status());
        reply.headers().forEach(response::putHeader);
        if (reply.contentType() != null) {
            response.putHeader("Content-Type", reply.contentType());
        }
        if (reply.chunked()) {
            response.setChunked(true);
            String body = reply.body();
            for (int at = 0; at < body.length(); at += 4096) {
                response.write(body.substring(at, Math.min(body.length(), at + 4096)));
            }
            response.end();
        } else {
            response.end(Buffer.buffer(reply.body()));
        }
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
