package io.postwire.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;

/**
 * A real SMTP server on a random free 127.0.0.1 port for tests: blocking sockets, one thread per
 * connection, messages kept in memory.
 *
 * <p>The RCPT reply is chosen by the recipient's local part:
 * <ul>
 *   <li>{@code tempfail...@} → {@code 451 4.3.0 try again later}
 *   <li>{@code permfail...@} → {@code 550 5.1.1 mailbox unavailable}
 *   <li>{@code disconnect...@} → the server closes the connection without a reply
 *   <li>anything else → {@code 250 2.1.5 ok}
 * </ul>
 *
 * <p>EHLO always announces SIZE 10485760, 8BITMIME and ENHANCEDSTATUSCODES, plus what the
 * {@link Options} turn on: PIPELINING (on by default), STARTTLS, AUTH PLAIN LOGIN and/or XOAUTH2
 * (only after STARTTLS when STARTTLS is on). With AUTH required, MAIL before AUTH gets 530.
 *
 * <pre>{@code
 * try (TestSmtpServer server = TestSmtpServer.start(TestSmtpServer.Options.defaults().withStartTls())) {
 *     ... send to 127.0.0.1:server.port() ...
 *     ReceivedMessage m = server.awaitMessages(1, Duration.ofSeconds(5)).get(0);
 * }
 * }</pre>
 */
public final class TestSmtpServer implements AutoCloseable {

    private volatile Options options;
    private volatile SSLContext tls;
    private final ServerSocket serverSocket;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-smtp");
        t.setDaemon(true);
        return t;
    });
    private final List<ReceivedMessage> messages = new ArrayList<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final List<String> xoauth2Tokens = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger queueIds = new AtomicInteger();

    private TestSmtpServer(Options options, SSLContext certificate, int port) throws IOException {
        this(options, certificate, InetAddress.getLoopbackAddress(), port);
    }

    private TestSmtpServer(Options options, SSLContext certificate, InetAddress address, int port)
            throws IOException {
        this.options = options;
        this.tls = options.startTls() ? certificate : null;
        this.serverSocket = new ServerSocket(port, 100, address);
        threads.execute(this::acceptLoop);
    }

    /** Starts a server with {@link Options#defaults()}. */
    public static TestSmtpServer start() {
        return start(Options.defaults());
    }

    public static TestSmtpServer start(Options options) {
        return start(options, options.startTls() ? SelfSignedTls.serverContext() : null);
    }

    /** Starts a server whose STARTTLS presents {@code certificate} (e.g. one for mx.example.test). */
    public static TestSmtpServer start(Options options, SSLContext certificate) {
        return start(options, certificate, 0);
    }

    /**
     * Starts a server on a given port, e.g. one a client was refused on a moment ago; the port may
     * have been taken in between, which fails the start.
     */
    public static TestSmtpServer start(Options options, int port) {
        return start(options, options.startTls() ? SelfSignedTls.serverContext() : null, port);
    }

    /**
     * Starts a server on another loopback address (Linux routes all of 127/8 to lo), e.g. several
     * mail exchangers on the one port direct delivery uses, each with its own certificate.
     */
    public static TestSmtpServer startOn(String address, int port, Options options, SSLContext certificate) {
        try {
            return new TestSmtpServer(options, certificate, InetAddress.getByName(address), port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start test SMTP server on " + address + ":" + port, e);
        }
    }

    private static TestSmtpServer start(Options options, SSLContext certificate, int port) {
        try {
            return new TestSmtpServer(options, certificate, port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start test SMTP server", e);
        }
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    public String host() {
        return serverSocket.getInetAddress().getHostAddress();
    }

    /** Messages received so far, in arrival order. */
    public List<ReceivedMessage> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    /** Waits until at least {@code n} messages arrived; fails the test on timeout. */
    public List<ReceivedMessage> awaitMessages(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (messages) {
            while (messages.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + n + " messages within " + timeout + ", got "
                            + messages.size());
                }
                try {
                    messages.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for messages", e);
                }
            }
            return List.copyOf(messages);
        }
    }

    /** Waits for the first message accepted for {@code recipient}; fails the test on timeout. */
    public ReceivedMessage awaitMessageFor(String recipient, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (messages) {
            while (true) {
                for (ReceivedMessage m : messages) {
                    if (m.recipients().contains(recipient)) {
                        return m;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no message for " + recipient + " within " + timeout);
                }
                try {
                    messages.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for a message", e);
                }
            }
        }
    }

    /** Every command line received, in order, AUTH secrets left out (e.g. {@code RCPT TO:<a@b>}). */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    /** Every bearer token presented with AUTH XOAUTH2, accepted or not, in order. */
    public List<String> xoauth2Tokens() {
        return List.copyOf(xoauth2Tokens);
    }

    /** How many TCP connections were accepted since start or {@link #clear()}. */
    public int connectionCount() {
        return connections.get();
    }

    /**
     * Closes every open client connection from the server side, as a server's own idle timeout
     * would, while staying ready for new ones.
     */
    public void dropConnections() {
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /**
     * Changes the behaviour from now on, for open sessions too (each command reads the options
     * afresh): a test makes the server bad, then good again to prove the client recovers.
     */
    public void reconfigure(Options newOptions) {
        reconfigure(newOptions, tls != null || !newOptions.startTls() ? tls : SelfSignedTls.serverContext());
    }

    /** As {@link #reconfigure(Options)}, with STARTTLS presenting {@code certificate} from now on. */
    public void reconfigure(Options newOptions, SSLContext certificate) {
        tls = certificate;
        options = newOptions;
    }

    /** How many client connections are open right now, as the server sees them. */
    public int openConnections() {
        return open.size();
    }

    /** Waits until the server has seen every client connection closed; fails the test on timeout. */
    public void awaitAllClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!open.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(open.size() + " connection(s) still open after " + timeout);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for connections to close", e);
            }
        }
    }

    /** Forgets received messages, commands and the connection count. */
    public void clear() {
        synchronized (messages) {
            messages.clear();
        }
        commands.clear();
        xoauth2Tokens.clear();
        connections.set(0);
    }

    @Override
    public void close() {
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        threads.shutdownNow();
    }

    Options options() {
        return options;
    }

    SSLContext tlsContext() {
        return tls;
    }

    void received(ReceivedMessage message) {
        synchronized (messages) {
            messages.add(message);
            messages.notifyAll();
        }
    }

    void logCommand(String line) {
        commands.add(line);
    }

    void logXoauth2Token(String token) {
        xoauth2Tokens.add(token);
    }

    int nextQueueId() {
        return queueIds.incrementAndGet();
    }

    void forget(Socket socket) {
        open.remove(socket);
    }

    void track(Socket socket) {
        open.add(socket);
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                connections.incrementAndGet();
                open.add(socket);
                threads.execute(new TestSmtpSession(this, socket));
            } catch (IOException e) {
                return; // server socket closed
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return; // closing
            }
        }
    }

    /**
     * How a {@link TestSmtpServer} behaves. Start from {@link #defaults()} and change what the test
     * needs: {@code Options.defaults().withStartTls().withAuth("u", "p")}.
     *
     * @param pipelining    announce PIPELINING (default on)
     * @param startTls      announce STARTTLS with a self-signed certificate (default off)
     * @param authUser      when non-null, AUTH PLAIN/LOGIN is offered and required before MAIL
     * @param authPassword  the password matching {@code authUser}
     * @param greeting      the greeting line, default {@code 220 localhost ESMTP test}; after a 421
     *                      greeting the connection is closed, after any other non-220 greeting the
     *                      server waits for QUIT and answers every other command with 503 (RFC 5321
     *                      §3.1)
     * @param dataReply     the reply after the final dot, default {@code 250 2.0.0 queued as N}; a
     *                      non-2xx reply means the message is not recorded
     * @param hangAfterData read the message after DATA, then never answer (for timeout tests)
     * @param ehlo          answer EHLO (default on); off makes EHLO get 502 so clients must use HELO
     * @param xoauth2       when non-null, AUTH XOAUTH2 is offered and required before MAIL
     * @param faults        misbehaviours of a bad peer, none by default
     */
    public record Options(boolean pipelining, boolean startTls, String authUser, String authPassword,
            String greeting, String dataReply, boolean hangAfterData, boolean ehlo, Xoauth2 xoauth2, Faults faults) {

        public static Options defaults() {
            return new Options(true, false, null, null, "220 localhost ESMTP test", null, false, true, null,
                    Faults.NONE);
        }

        public Options withoutPipelining() {
            return new Options(false, startTls, authUser, authPassword, greeting, dataReply, hangAfterData, ehlo,
                    xoauth2, faults);
        }

        public Options withStartTls() {
            return new Options(pipelining, true, authUser, authPassword, greeting, dataReply, hangAfterData, ehlo,
                    xoauth2, faults);
        }

        public Options withAuth(String user, String password) {
            return new Options(pipelining, startTls, user, password, greeting, dataReply, hangAfterData, ehlo,
                    xoauth2, faults);
        }

        public Options withGreeting(String line) {
            return new Options(pipelining, startTls, authUser, authPassword, line, dataReply, hangAfterData, ehlo,
                    xoauth2, faults);
        }

        public Options withDataReply(String line) {
            return new Options(pipelining, startTls, authUser, authPassword, greeting, line, hangAfterData, ehlo,
                    xoauth2, faults);
        }

        public Options withHangAfterData() {
            return new Options(pipelining, startTls, authUser, authPassword, greeting, dataReply, true, ehlo,
                    xoauth2, faults);
        }

        public Options withoutEhlo() {
            return new Options(pipelining, startTls, authUser, authPassword, greeting, dataReply, hangAfterData, false,
                    xoauth2, faults);
        }

        /** Accepts the TCP connection but never sends a greeting; reads until the client goes away. */
        public Options withSilentGreeting() {
            return withFaults(faults.with(f -> f.silent = true));
        }

        /**
         * Answers every {@code verb} command with {@code reply} instead of acting on it (the DATA
         * command gets it instead of 354); a 421 reply is followed by closing the connection.
         */
        public Options withReply(String verb, String reply) {
            return withFaults(faults.with(f -> f.replies.put(verb.toUpperCase(Locale.ROOT), reply)));
        }

        /**
         * Limits messages to {@code limit} octets (RFC 1870): announced as {@code SIZE limit} and
         * enforced at MAIL when {@code announced}, otherwise no SIZE is announced; either way a
         * bigger message gets {@code 552 5.3.4} after the final dot.
         */
        public Options withSizeLimit(long limit, boolean announced) {
            return withFaults(faults.with(f -> {
                f.sizeLimit = limit;
                f.sizeAnnounced = announced;
            }));
        }

        /** Closes the connection once {@code bytes} octets of the message have been read after 354. */
        public Options withDisconnectDuringData(int bytes) {
            return withFaults(faults.with(f -> f.disconnectAfterBodyBytes = bytes));
        }

        /** Reads the message after 354 at no more than {@code bytesPerSecond}, straight off the socket. */
        public Options withSlowBodyReader(int bytesPerSecond) {
            return withFaults(faults.with(f -> f.bodyBytesPerSecond = bytesPerSecond));
        }

        /** Answers STARTTLS with 220, then breaks the handshake as {@code fault} says. */
        public Options withStartTlsFault(StartTlsFault fault) {
            return withFaults(faults.with(f -> f.startTlsFault = fault));
        }

        /** Writes every reply in 5-octet pieces with {@code delayMs} between them. */
        public Options withRepliesInPieces(long delayMs) {
            return withFaults(faults.with(f -> f.pieceDelayMs = delayMs));
        }

        /**
         * Records the message, then sends the reply after the final dot without its CRLF and closes
         * the connection: the client cannot know the message was taken.
         */
        public Options withUnterminatedFinalReply() {
            return withFaults(faults.with(f -> f.unterminatedFinalReply = true));
        }

        private Options withFaults(Faults f) {
            return new Options(pipelining, startTls, authUser, authPassword, greeting, dataReply, hangAfterData, ehlo,
                    xoauth2, f);
        }

        /**
         * Offers AUTH XOAUTH2 and requires it before MAIL: the user must be {@code user} and the
         * bearer token one that {@code tokenCheck} accepts (e.g. a token endpoint's issued tokens).
         * A refused token gets Google's and the brief's dialogue: {@code 334 <base64 JSON>}, then,
         * after the client's empty line, {@code 535 5.7.3 Authentication unsuccessful}.
         */
        public Options withXoauth2(String user, Predicate<String> tokenCheck) {
            return withXoauth2(new Xoauth2(user, tokenCheck, true, null));
        }

        /** XOAUTH2 as configured, but a refused token gets 535 at once, as Microsoft's servers answer. */
        public Options withXoauth2DirectFailure() {
            return withXoauth2(new Xoauth2(xoauth2.user(), xoauth2.tokenCheck(), false, null));
        }

        /** Every XOAUTH2 attempt gets {@code reply} after the response is checked for form, e.g. a 454. */
        public Options withXoauth2Reply(String reply) {
            return withXoauth2(new Xoauth2(xoauth2.user(), xoauth2.tokenCheck(), xoauth2.challengeOnFailure(), reply));
        }

        private Options withXoauth2(Xoauth2 x) {
            return new Options(pipelining, startTls, authUser, authPassword, greeting, dataReply, hangAfterData, ehlo,
                    x, faults);
        }

        boolean authRequired() {
            return authUser != null || xoauth2 != null;
        }
    }

    /** How the server breaks a STARTTLS it has just accepted with 220. */
    public enum StartTlsFault {
        /** A normal handshake. */
        NONE,
        /** Reads the client's hello, answers with bytes that are no TLS record, closes. */
        GARBAGE,
        /** Closes the connection right after the 220. */
        CLOSE
    }

    /**
     * The misbehaviours of a bad peer, set through the {@code Options.with...} methods; see there.
     * Built by copying, so an Options value never changes once made.
     */
    public static final class Faults {

        static final Faults NONE = new Faults();

        boolean silent;
        final Map<String, String> replies = new HashMap<>();
        long sizeLimit = 10_485_760;
        boolean sizeAnnounced = true;
        int disconnectAfterBodyBytes = -1;
        int bodyBytesPerSecond;
        StartTlsFault startTlsFault = StartTlsFault.NONE;
        long pieceDelayMs;
        boolean unterminatedFinalReply;

        private Faults() {
        }

        Faults with(java.util.function.Consumer<Faults> change) {
            Faults copy = new Faults();
            copy.silent = silent;
            copy.replies.putAll(replies);
            copy.sizeLimit = sizeLimit;
            copy.sizeAnnounced = sizeAnnounced;
            copy.disconnectAfterBodyBytes = disconnectAfterBodyBytes;
            copy.bodyBytesPerSecond = bodyBytesPerSecond;
            copy.startTlsFault = startTlsFault;
            copy.pieceDelayMs = pieceDelayMs;
            copy.unterminatedFinalReply = unterminatedFinalReply;
            change.accept(copy);
            return copy;
        }
    }

    /**
     * The XOAUTH2 behaviour of the server.
     *
     * @param user               the only user name accepted
     * @param tokenCheck         which bearer tokens are valid
     * @param challengeOnFailure answer a refused token with 334 + JSON first (else 535 at once)
     * @param forcedReply        when non-null, the reply to every well-formed attempt
     */
    public record Xoauth2(String user, Predicate<String> tokenCheck, boolean challengeOnFailure, String forcedReply) {
    }
}
