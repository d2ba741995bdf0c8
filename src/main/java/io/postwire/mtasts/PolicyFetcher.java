package io.postwire.mtasts;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * Fetches {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} the way RFC 8461 §3.3 asks:
 * the certificate must chain to a trusted root and name {@code mta-sts.<domain>} (WebPKI), no
 * redirect is followed, only a 200 with {@code text/plain} counts, and the body is bounded in size
 * and the whole exchange in time. Never fails: every problem is a {@link PolicyFetch.Failed} named
 * by its RFC 8460 result type.
 *
 * <p>The host's address comes from the injected resolver (the configured DNS servers in
 * production) and the request goes to that address while TLS checks the name: Vert.x's
 * {@link RequestOptions#setServer} keeps the host name as the TLS peer name and SNI.
 */
final class PolicyFetcher implements AutoCloseable {

    static final String PATH = "/.well-known/mta-sts.txt";

    private final Vertx vertx;
    private final HttpClient client;
    private final MtaStsSettings settings;
    private final Function<String, Future<List<InetAddress>>> addresses;

    PolicyFetcher(Vertx vertx, MtaStsSettings settings, Function<String, Future<List<InetAddress>>> addresses) {
        this.vertx = vertx;
        this.settings = settings;
        this.addresses = addresses;
        HttpClientOptions options = new HttpClientOptions()
                .setSsl(true)
                .setVerifyHost(true) // endpoint identification "HTTPS": the name must be mta-sts.<domain>
                .setForceSni(true)
                .setKeepAlive(false) // one request per host per max_age: nothing worth pooling
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, settings.fetchTimeout().toMillis()))
                .setMaxRedirects(0);
        settings.trust().ifPresent(options::setTrustOptions);
        this.client = vertx.createHttpClient(options);
    }

    Future<PolicyFetch> fetch(String domain) {
        String host = "mta-sts." + domain;
        Promise<PolicyFetch> result = Promise.promise();
        long ms = settings.fetchTimeout().toMillis();
        long timer = vertx.setTimer(ms, id -> result.tryComplete(
                failed(TlsResult.STS_POLICY_FETCH_ERROR, "no policy from " + host + " within " + ms + " ms")));
        addresses.apply(host).onComplete(found -> {
            if (found.failed()) {
                result.tryComplete(failed(TlsResult.STS_POLICY_FETCH_ERROR, found.cause().getMessage()));
            } else if (found.result().isEmpty()) {
                result.tryComplete(failed(TlsResult.STS_POLICY_FETCH_ERROR, host + " has no address"));
            } else {
                request(host, found.result().get(0), result);
            }
        });
        return result.future().onComplete(done -> vertx.cancelTimer(timer));
    }

    private void request(String host, InetAddress address, Promise<PolicyFetch> result) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(host)
                .setPort(settings.httpsPort())
                .setServer(SocketAddress.inetSocketAddress(settings.httpsPort(), address.getHostAddress()))
                .setURI(PATH)
                .setSsl(true)
                .setFollowRedirects(false);
        client.request(options).onComplete(requested -> {
            if (requested.failed()) {
                result.tryComplete(connectionFailure(host, requested.cause()));
                return;
            }
            HttpClientRequest request = requested.result();
            result.future().onComplete(done -> request.reset()); // stops a slow or huge download
            request.send().onComplete(sent -> {
                if (sent.failed()) {
                    result.tryComplete(connectionFailure(host, sent.cause()));
                } else {
                    read(host, sent.result(), result);
                }
            });
        });
    }

    private void read(String host, HttpClientResponse response, Promise<PolicyFetch> result) {
        // Also receives the reset that ends an unread body; after completion it changes nothing.
        response.exceptionHandler(e -> result.tryComplete(connectionFailure(host, e)));
        if (response.statusCode() != 200) {
            // Redirects too: §3.3 forbids following them.
            result.tryComplete(failed(TlsResult.STS_POLICY_FETCH_ERROR,
                    "https://" + host + PATH + " answered " + response.statusCode()));
            return;
        }
        String type = response.getHeader("Content-Type");
        String mediaType = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("text/plain")) {
            result.tryComplete(failed(TlsResult.STS_POLICY_INVALID, "policy served as '" + type + "'"));
            return;
        }
        String length = response.getHeader("Content-Length");
        if (length != null && length.matches("[0-9]{1,18}") && Long.parseLong(length) > settings.maxPolicyBytes()) {
            result.tryComplete(tooLarge(length + " bytes"));
            return;
        }
        Buffer body = Buffer.buffer();
        response.handler(chunk -> {
            if (body.length() + chunk.length() > settings.maxPolicyBytes()) {
                result.tryComplete(tooLarge("more than " + settings.maxPolicyBytes() + " bytes"));
            } else {
                body.appendBuffer(chunk);
            }
        });
        // A policy is ASCII (§3.2); UTF-8 decoding keeps ASCII as is and lets the parser reject the rest.
        response.endHandler(v -> result.tryComplete(PolicyParser.parse(body.toString(StandardCharsets.UTF_8))));
    }

    private PolicyFetch tooLarge(String size) {
        return failed(TlsResult.STS_POLICY_INVALID, "policy of " + size + ", limit " + settings.maxPolicyBytes());
    }

    /** A TLS failure means the host is not who it should be (WebPKI); anything else, no fetch. */
    private static PolicyFetch connectionFailure(String host, Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException || t instanceof CertificateException) {
                return failed(TlsResult.STS_WEBPKI_INVALID, "TLS with " + host + " failed: " + cause);
            }
        }
        return failed(TlsResult.STS_POLICY_FETCH_ERROR, "fetching from " + host + " failed: " + cause);
    }

    private static PolicyFetch failed(TlsResult result, String reason) {
        return new PolicyFetch.Failed(result, reason);
    }

    @Override
    public void close() {
        client.close();
    }
}
