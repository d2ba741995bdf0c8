package io.postwire.smtpd;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One SMTP connection: the state machine of RFC 5321 with STARTTLS (3207), AUTH (4954),
 * PIPELINING (2920), SIZE (1870), 8BITMIME (6152), SMTPUTF8 (6531) and ENHANCEDSTATUSCODES (2034).
 *
 * <p>Everything runs on the connection's event loop. Lines are taken from the {@link LineReader}
 * one at a time and answered in order; while the handler is working on one (AUTH, DATA) the socket
 * is paused and no further line is taken, so replies stay in order and a flooding client only
 * fills its own TCP window. The same happens when the client does not read its replies (the write
 * queue is full).
 *
 * <p>Nothing here logs a command argument above TRACE, and AUTH lines never.
 */
final class SmtpdSession {

    private static final Logger LOG = Logger.getLogger(SmtpdSession.class);

    /** RFC 4954 §4: an AUTH line may be up to 12288 octets, whatever the command line limit. */
    static final int AUTH_LINE_LIMIT = 12288;
    /** Protocol errors (bad syntax, bad order, unknown commands) before the session is dropped. */
    static final int MAX_PROTOCOL_ERRORS = 20;
    /** How long a closing reply may take to flush before the socket is closed anyway. */
    private static final long CLOSE_GRACE_MS = 5000;

    private enum Mode { COMMAND, DATA, AUTH, TLS_HANDSHAKE, CLOSED }

    private enum AuthStep { PLAIN, LOGIN_USER, LOGIN_PASSWORD }

    private final SmtpdServer server;
    private final SmtpdOptions options;
    private final SmtpdHandler handler;
    private final NetSocket socket;
    private final Vertx vertx;
    private final Context context;
    private final String id;
    private final InetAddress remote;
    private final String ip;
    private final boolean trusted;
    private final LineReader reader;
    private final Promise<Void> closedPromise = Promise.promise();

    private Mode mode = Mode.COMMAND;
    private boolean tls;
    private String helo;
    private boolean esmtp;
    private String authUser;

    private String reversePath;
    private Map<String, String> mailParams = Map.of();
    private final Set<String> recipients = new LinkedHashSet<>();
    private boolean utf8Transaction;
    private MessageCollector collector;

    private AuthStep authStep;
    private String authLoginUser;

    private boolean busy;
    private boolean processing;
    private boolean closed;
    private boolean shuttingDown;
    private boolean released;
    boolean counted;
    private int protocolErrors;
    private long operation;
    private long timer = -1;
    private long guardTimer = -1;

    SmtpdSession(SmtpdServer server, NetSocket socket, String id, InetAddress remote) {
        this.server = server;
        this.options = server.options();
        this.handler = server.handler();
        this.socket = socket;
        this.vertx = server.vertx();
        Context current = Vertx.currentContext();
        this.context = current != null ? current : vertx.getOrCreateContext();
        this.id = id;
        this.remote = remote;
        this.ip = remote.getHostAddress();
        this.trusted = options.trusted(remote);
        this.tls = socket.isSsl();
        this.reader = new LineReader(commandLineLimit());
        socket.handler(this::onData);
        socket.closeHandler(v -> onClosed());
        socket.exceptionHandler(this::onException);
    }

    String id() {
        return id;
    }

    String ip() {
        return ip;
    }

    Future<Void> closedFuture() {
        return closedPromise.future();
    }

    /** Sends the greeting and starts reading commands. */
    void start() {
        LOG.debugf("%s [%s] connected from %s%s", id, options.name(), ip, tls ? " (TLS)" : "");
        reply(new SmtpdReply(220, null, options.hostname() + " ESMTP Postwire"));
        armTimer();
    }

    /** Refuses the connection at greeting time (limits, blocked address, shutdown). */
    void reject(SmtpdReply reply) {
        LOG.debugf("%s [%s] refused %s: %s", id, options.name(), ip, reply);
        closeWith(reply);
    }

    /** Server shutdown: the session ends with 421 4.3.2 once any handler call in progress has been answered. */
    void shutdown() {
        onContext(() -> {
            shuttingDown = true;
            if (closed) {
                return;
            }
            if (mode == Mode.TLS_HANDSHAKE) {
                closeWith(null);
            } else if (!busy) {
                closeWith(new SmtpdReply(421, "4.3.2", "Service shutting down"));
            } // else: process() sends the 421 after the pending reply
        });
    }

    // ---------------------------------------------------------------- input

    private void onData(Buffer data) {
        if (closed || mode == Mode.TLS_HANDSHAKE) {
            return; // plain text pipelined after STARTTLS is dropped (RFC 3207 §4.2, CVE-2011-0411)
        }
        reader.feed(data);
        process();
    }

    /** Takes lines while nothing is pending; pauses the socket otherwise. */
    private void process() {
        if (processing) {
            return;
        }
        processing = true;
        try {
            while (!closed && !busy && mode != Mode.TLS_HANDSHAKE) {
                if (shuttingDown) {
                    closeWith(new SmtpdReply(421, "4.3.2", "Service shutting down"));
                    return;
                }
                if (socket.writeQueueFull()) {
                    // The client does not read its replies: stop reading its commands until it does.
                    socket.pause();
                    socket.drainHandler(v -> {
                        socket.drainHandler(null);
                        process();
                    });
                    cancelTimer();
                    timer = vertx.setTimer(options.commandTimeout().toMillis(), t -> onTimeout());
                    return;
                }
                LineReader.Line line = reader.next();
                if (line == null) {
                    socket.resume();
                    armTimer();
                    return;
                }
                handleSafely(line);
            }
            if (busy && !closed) {
                socket.pause();
            }
        } finally {
            processing = false;
        }
    }

    private void handleSafely(LineReader.Line line) {
        Mode before = mode;
        try {
            switch (mode) {
                case DATA -> dataLine(line);
                case AUTH -> authResponse(line);
                default -> command(line);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s [%s] internal error", id, options.name());
            if (before == Mode.DATA || before == Mode.AUTH || mode == Mode.TLS_HANDSHAKE) {
                closeWith(new SmtpdReply(421, "4.3.0", "Error: internal error, closing connection"));
            } else {
                resetTransaction();
                mode = Mode.COMMAND;
                reply(new SmtpdReply(451, "4.3.0", "Error: internal error, try again later"));
            }
        }
    }

    // ---------------------------------------------------------------- commands

    private void command(LineReader.Line line) {
        if (line.tooLong()) {
            protocolError(new SmtpdReply(500, "5.5.2", "Error: line too long"));
            return;
        }
        String text = decode(line);
        if (text == null || text.isEmpty()) {
            protocolError(new SmtpdReply(500, "5.5.2", "Error: bad syntax"));
            return;
        }
        int sp = text.indexOf(' ');
        String verb = (sp < 0 ? text : text.substring(0, sp)).toUpperCase(Locale.ROOT);
        String arg = sp < 0 ? "" : text.substring(sp + 1).strip();
        if (line.length() + 2 > options.maxLineLength() && !verb.equals("AUTH")) {
            protocolError(new SmtpdReply(500, "5.5.2", "Error: line too long"));
            return;
        }
        if (LOG.isTraceEnabled()) {
            LOG.tracef("%s C: %s", id, verb.equals("AUTH") ? "AUTH <not logged>" : printable(text));
        }
        switch (verb) {
            case "EHLO" -> ehlo(arg);
            case "HELO" -> helo(arg);
            case "MAIL" -> mail(arg);
            case "RCPT" -> rcpt(arg);
            case "DATA" -> data(arg);
            case "RSET" -> rset(arg);
            case "NOOP" -> reply(SmtpdReply.ok());
            case "QUIT" -> closeWith(new SmtpdReply(221, "2.0.0", options.hostname() + " closing connection"));
            case "VRFY" -> vrfy(arg);
            case "HELP" -> reply(new SmtpdReply(214, "2.0.0",
                    "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP STARTTLS AUTH"));
            case "STARTTLS" -> startTls(arg);
            case "AUTH" -> auth(arg);
            case "BDAT", "EXPN", "TURN", "ETRN", "ATRN", "SEND", "SOML", "SAML" ->
                    protocolError(new SmtpdReply(502, "5.5.1", "Error: command not implemented"));
            default -> protocolError(new SmtpdReply(500, "5.5.1", "Error: command not recognized"));
        }
    }

    private void ehlo(String arg) {
        if (arg.isEmpty()) {
            protocolError(new SmtpdReply(501, "5.5.4", "Syntax: EHLO hostname"));
            return;
        }
        resetTransaction();
        helo = firstToken(arg);
        esmtp = true;
        var lines = new ArrayList<String>();
        lines.add(options.hostname());
        lines.add("PIPELINING");
        lines.add("SIZE " + options.maxMessageSize());
        lines.add("8BITMIME");
        lines.add("SMTPUTF8");
        lines.add("ENHANCEDSTATUSCODES");
        if (!tls && options.startTlsAvailable()) {
            lines.add("STARTTLS");
        }
        if (tls && options.offerAuth()) {
            lines.add("AUTH PLAIN LOGIN");
        }
        reply(new SmtpdReply(250, null, String.join("\n", lines)));
    }

    private void helo(String arg) {
        if (arg.isEmpty()) {
            protocolError(new SmtpdReply(501, "5.5.4", "Syntax: HELO hostname"));
            return;
        }
        resetTransaction();
        helo = firstToken(arg);
        esmtp = false;
        reply(new SmtpdReply(250, null, options.hostname()));
    }

    private void mail(String arg) {
        if (helo == null) {
            protocolError(new SmtpdReply(503, "5.5.1", "Error: send HELO/EHLO first"));
            return;
        }
        if (reversePath != null) {
            protocolError(new SmtpdReply(503, "5.5.1", "Error: nested MAIL command"));
            return;
        }
        CommandSyntax.PathAndParams parsed;
        try {
            parsed = CommandSyntax.parse(arg, "FROM:", "5.1.7");
        } catch (CommandSyntax.SyntaxError e) {
            protocolError(e.reply);
            return;
        }
        Map<String, String> params = new java.util.LinkedHashMap<>(parsed.params());
        if (!esmtp && !params.isEmpty()) {
            protocolError(new SmtpdReply(555, "5.5.4", "Error: MAIL parameters need EHLO"));
            return;
        }
        for (Map.Entry<String, String> p : params.entrySet()) {
            String value = p.getValue();
            switch (p.getKey()) {
                case "SIZE" -> {
                    if (!value.matches("\\d{1,18}")) {
                        protocolError(new SmtpdReply(501, "5.5.4", "Error: bad SIZE parameter"));
                        return;
                    }
                }
                case "BODY" -> {
                    String body = value.toUpperCase(Locale.ROOT);
                    if (!body.equals("7BIT") && !body.equals("8BITMIME")) {
                        protocolError(new SmtpdReply(501, "5.5.4", "Error: bad BODY parameter"));
                        return;
                    }
                    p.setValue(body);
                }
                case "SMTPUTF8" -> {
                    if (!value.isEmpty()) {
                        protocolError(new SmtpdReply(501, "5.5.4", "Error: SMTPUTF8 takes no value"));
                        return;
                    }
                }
                case "RET" -> {
                    if (!value.equalsIgnoreCase("FULL") && !value.equalsIgnoreCase("HDRS")) {
                        protocolError(new SmtpdReply(501, "5.5.4", "Error: bad RET parameter"));
                        return;
                    }
                }
                case "AUTH", "ENVID" -> {
                    // accepted and passed on; RFC 4954 §5 lets a server ignore AUTH=
                }
                default -> {
                    protocolError(new SmtpdReply(555, "5.5.4", "Error: unsupported parameter " + p.getKey()));
                    return;
                }
            }
        }
        if (options.authRequired() && authUser == null && !trusted) {
            reply(new SmtpdReply(530, "5.7.0", "Authentication required"));
            return;
        }
        if (params.containsKey("SIZE") && Long.parseLong(params.get("SIZE")) > options.maxMessageSize()) {
            reply(new SmtpdReply(552, "5.3.4", "Message size exceeds fixed limit"));
            return;
        }
        boolean utf8 = params.containsKey("SMTPUTF8");
        String address = parsed.address();
        if (!utf8 && CommandSyntax.nonAscii(address)) {
            reply(new SmtpdReply(553, "5.6.7", "Non-ASCII address needs SMTPUTF8"));
            return;
        }
        SmtpdReply verdict;
        try {
            verdict = handler.checkSender(info(), address);
        } catch (RuntimeException e) {
            LOG.warnf(e, "%s [%s] checkSender failed", id, options.name());
            reply(new SmtpdReply(451, "4.3.0", "Error: local error, try again later"));
            return;
        }
        if (verdict == null || verdict.isPositive()) {
            reversePath = address;
            mailParams = params;
            utf8Transaction = utf8;
        }
        reply(verdict != null ? verdict : new SmtpdReply(250, "2.1.0", "Ok"));
    }

    private void rcpt(String arg) {
        if (reversePath == null) {
            protocolError(new SmtpdReply(503, "5.5.1", "Error: need MAIL command"));
            return;
        }
        CommandSyntax.PathAndParams parsed;
        try {
            parsed = CommandSyntax.parse(arg, "TO:", "5.1.3");
        } catch (CommandSyntax.SyntaxError e) {
            protocolError(e.reply);
            return;
        }
        String address = parsed.address();
        if (address.isEmpty()) {
            protocolError(new SmtpdReply(501, "5.1.3", "Bad recipient address syntax"));
            return;
        }
        if (!parsed.params().isEmpty()) {
            protocolError(new SmtpdReply(555, "5.5.4",
                    "Error: unsupported parameter " + parsed.params().keySet().iterator().next()));
            return;
        }
        if (!utf8Transaction && CommandSyntax.nonAscii(address)) {
            reply(new SmtpdReply(553, "5.6.7", "Non-ASCII address needs SMTPUTF8"));
            return;
        }
        if (recipients.contains(address)) {
            reply(new SmtpdReply(250, "2.1.5", "Ok"));
            return;
        }
        if (recipients.size() >= options.maxRecipients()) {
            reply(new SmtpdReply(452, "4.5.3", "Too many recipients"));
            return;
        }
        SmtpdReply verdict;
        try {
            verdict = handler.checkRecipient(info(), reversePath, address);
        } catch (RuntimeException e) {
            LOG.warnf(e, "%s [%s] checkRecipient failed", id, options.name());
            reply(new SmtpdReply(451, "4.3.0", "Error: local error, try again later"));
            return;
        }
        if (verdict == null || verdict.isPositive()) {
            recipients.add(address);
        }
        reply(verdict != null ? verdict : new SmtpdReply(250, "2.1.5", "Ok"));
    }

    private void data(String arg) {
        if (!arg.isEmpty()) {
            protocolError(new SmtpdReply(501, "5.5.4", "Syntax: DATA"));
            return;
        }
        if (reversePath == null) {
            protocolError(new SmtpdReply(503, "5.5.1", "Error: need MAIL command"));
            return;
        }
        if (recipients.isEmpty()) {
            protocolError(new SmtpdReply(503, "5.5.1", "Error: need RCPT command"));
            return;
        }
        mode = Mode.DATA;
        reader.limit(options.maxLineLength());
        collector = new MessageCollector(options.maxMessageSize());
        reply(new SmtpdReply(354, null, "End data with <CR><LF>.<CR><LF>"));
    }

    private void dataLine(LineReader.Line line) {
        if (!collector.line(line)) {
            return;
        }
        MessageCollector c = collector;
        collector = null;
        mode = Mode.COMMAND;
        reader.limit(commandLineLimit());
        server.noteMessageBuffer(c.bufferedCapacity());
        if (c.lineTooLong()) {
            resetTransaction();
            reply(new SmtpdReply(500, "5.5.2", "Error: message has a line longer than "
                    + options.maxLineLength() + " octets"));
            return;
        }
        if (c.tooBig()) {
            resetTransaction();
            reply(new SmtpdReply(552, "5.3.4", "Message size exceeds fixed limit"));
            return;
        }
        MailTransaction transaction = new MailTransaction(reversePath, new ArrayList<>(recipients), mailParams,
                c.message());
        SessionInfo info = info();
        resetTransaction(); // the transaction ends here, whatever the handler answers
        Future<SmtpdReply> delivery;
        try {
            delivery = handler.deliver(info, transaction);
        } catch (RuntimeException e) {
            delivery = Future.failedFuture(e);
        }
        await(delivery, true, ar -> {
            if (ar.succeeded()) {
                reply(ar.result() != null ? ar.result() : SmtpdReply.ok());
            } else {
                LOG.warnf("%s [%s] delivery of %d octets failed: %s", id, options.name(), transaction.size(),
                        String.valueOf(ar.cause()));
                reply(new SmtpdReply(451, "4.3.0", "Error: local error in processing, try again later"));
            }
        });
    }

    private void rset(String arg) {
        if (!arg.isEmpty()) {
            protocolError(new SmtpdReply(501, "5.5.4", "Syntax: RSET"));
            return;
        }
        resetTransaction();
        reply(SmtpdReply.ok());
    }

    private void vrfy(String arg) {
        if (arg.isEmpty()) {
            protocolError(new SmtpdReply(501, "5.5.4", "Syntax: VRFY address"));
            return;
        }
        reply(new SmtpdReply(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery"));
    }

    // ---------------------------------------------------------------- STARTTLS

    private void startTls(String arg) {
        if (!arg.isEmpty()) {
            protocolError(new SmtpdReply(501, "5.5.4", "Syntax: STARTTLS"));
            return;
        }
        if (tls) {
            protocolError(new SmtpdReply(503, "5.5.1", "Error: TLS already active"));
            return;
        }
        if (!options.startTlsAvailable()) {
            protocolError(new SmtpdReply(502, "5.5.1", "Error: command not implemented"));
            return;
        }
        reply(new SmtpdReply(220, "2.0.0", "Ready to start TLS"));
        if (reader.hasBufferedInput()) {
            LOG.debugf("%s [%s] dropped plain text pipelined after STARTTLS from %s", id, options.name(), ip);
        }
        reader.discard();
        mode = Mode.TLS_HANDSHAKE;
        cancelTimer();
        long ms = options.commandTimeout().toMillis();
        timer = vertx.setTimer(ms, t -> {
            LOG.debugf("%s [%s] TLS handshake timed out", id, options.name());
            closeWith(null);
        });
        socket.resume();
        socket.upgradeToSsl().onComplete(ar -> onContext(() -> {
            if (closed) {
                return;
            }
            cancelTimer();
            if (ar.failed()) {
                LOG.debugf("%s [%s] TLS handshake with %s failed: %s", id, options.name(), ip, ar.cause().getMessage());
                closeWith(null);
                return;
            }
            // RFC 3207 §4.2: forget everything learnt before the handshake.
            tls = true;
            helo = null;
            esmtp = false;
            authUser = null;
            resetTransaction();
            mode = Mode.COMMAND;
            process();
        }));
    }

    // ---------------------------------------------------------------- AUTH

    private void auth(String arg) {
        if (!esmtp) {
            protocolError(new SmtpdReply(503, "5.5.1", "Error: send EHLO first"));
            return;
        }
        if (!options.offerAuth()) {
            protocolError(new SmtpdReply(503, "5.5.1", "Error: authentication not enabled"));
            return;
        }
        if (!tls) {
            if (options.startTlsAvailable()) {
                reply(new SmtpdReply(538, "5.7.11", "Encryption required for requested authentication mechanism"));
            } else {
                protocolError(new SmtpdReply(503, "5.5.1", "Error: authentication not enabled"));
            }
            return;
        }
        if (authUser != null) {
            protocolError(new SmtpdReply(503, "5.5.1", "Error: already authenticated"));
            return;
        }
        if (reversePath != null) {
            protocolError(new SmtpdReply(503, "5.5.1", "Error: MAIL transaction in progress"));
            return;
        }
        if (server.authBlocked(ip)) {
            closeWith(new SmtpdReply(421, "4.7.0", "Too many authentication failures, try again later"));
            return;
        }
        String[] parts = arg.isEmpty() ? new String[0] : arg.split(" +");
        if (parts.length == 0 || parts.length > 2) {
            protocolError(new SmtpdReply(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]"));
            return;
        }
        String mechanism = parts[0].toUpperCase(Locale.ROOT);
        String initial = parts.length > 1 ? parts[1] : null;
        switch (mechanism) {
            case "PLAIN" -> {
                if (initial == null) {
                    beginAuth(AuthStep.PLAIN);
                    reply(new SmtpdReply(334, null, ""));
                } else {
                    byte[] response = base64(initial);
                    if (response == null) {
                        reply(new SmtpdReply(501, "5.5.2", "Error: invalid base64 data"));
                    } else {
                        plain(response);
                    }
                }
            }
            case "LOGIN" -> {
                if (initial == null) {
                    beginAuth(AuthStep.LOGIN_USER);
                    reply(new SmtpdReply(334, null, "VXNlcm5hbWU6"));
                } else {
                    byte[] user = base64(initial);
                    if (user == null) {
                        reply(new SmtpdReply(501, "5.5.2", "Error: invalid base64 data"));
                        return;
                    }
                    beginAuth(AuthStep.LOGIN_PASSWORD);
                    authLoginUser = new String(user, StandardCharsets.UTF_8);
                    reply(new SmtpdReply(334, null, "UGFzc3dvcmQ6"));
                }
            }
            default -> protocolError(new SmtpdReply(504, "5.5.4", "Error: unrecognized authentication type"));
        }
    }

    private void beginAuth(AuthStep step) {
        mode = Mode.AUTH;
        authStep = step;
    }

    private void endAuth() {
        mode = Mode.COMMAND;
        authStep = null;
        authLoginUser = null;
    }

    private void authResponse(LineReader.Line line) {
        AuthStep step = authStep;
        if (line.tooLong()) {
            endAuth();
            reply(new SmtpdReply(500, "5.5.2", "Error: line too long"));
            return;
        }
        String text = new String(line.bytes(), 0, line.length(), StandardCharsets.ISO_8859_1).strip();
        if (text.equals("*")) {
            endAuth();
            reply(new SmtpdReply(501, "5.0.0", "Authentication cancelled"));
            return;
        }
        byte[] decoded = base64(text);
        if (decoded == null) {
            endAuth();
            reply(new SmtpdReply(501, "5.5.2", "Error: invalid base64 data"));
            return;
        }
        switch (step) {
            case PLAIN -> {
                endAuth();
                plain(decoded);
            }
            case LOGIN_USER -> {
                authStep = AuthStep.LOGIN_PASSWORD;
                authLoginUser = new String(decoded, StandardCharsets.UTF_8);
                reply(new SmtpdReply(334, null, "UGFzc3dvcmQ6"));
            }
            case LOGIN_PASSWORD -> {
                String user = authLoginUser;
                endAuth();
                verify(user, new String(decoded, StandardCharsets.UTF_8));
            }
        }
    }

    /** RFC 4616: {@code [authzid] NUL authcid NUL passwd}. */
    private void plain(byte[] response) {
        int first = indexOf(response, 0, 0);
        int second = first < 0 ? -1 : indexOf(response, 0, first + 1);
        if (first < 0 || second < 0 || indexOf(response, 0, second + 1) >= 0) {
            reply(new SmtpdReply(501, "5.5.2", "Error: invalid AUTH PLAIN response"));
            return;
        }
        String authzid = new String(response, 0, first, StandardCharsets.UTF_8);
        String user = new String(response, first + 1, second - first - 1, StandardCharsets.UTF_8);
        String password = new String(response, second + 1, response.length - second - 1, StandardCharsets.UTF_8);
        if (!authzid.isEmpty() && !authzid.equals(user)) {
            failedAuth(); // acting for someone else is not supported
            return;
        }
        verify(user, password);
    }

    private void verify(String user, String password) {
        Future<Boolean> check;
        try {
            check = handler.authenticate(info(), user, password);
        } catch (RuntimeException e) {
            check = Future.failedFuture(e);
        }
        await(check, true, ar -> {
            if (ar.failed()) {
                LOG.warnf("%s [%s] authentication check failed: %s", id, options.name(), String.valueOf(ar.cause()));
                reply(new SmtpdReply(454, "4.7.0", "Temporary authentication failure"));
            } else if (Boolean.TRUE.equals(ar.result())) {
                authUser = user;
                LOG.debugf("%s [%s] authenticated as %s", id, options.name(), printable(user));
                reply(new SmtpdReply(235, "2.7.0", "Authentication successful"));
            } else {
                failedAuth();
            }
        });
    }

    private void failedAuth() {
        boolean blocked = server.recordAuthFailure(ip);
        LOG.infof("%s [%s] authentication failed from %s%s", id, options.name(), ip,
                blocked ? " (too many failures, disconnecting)" : "");
        Promise<Void> delay = Promise.promise();
        vertx.setTimer(Math.max(1, options.authFailureDelay().toMillis()), t -> delay.tryComplete());
        await(delay.future(), false, ar -> {
            if (blocked) {
                closeWith(new SmtpdReply(421, "4.7.0", "Too many authentication failures, try again later"));
            } else {
                reply(new SmtpdReply(535, "5.7.8", "Authentication credentials invalid"));
            }
        });
    }

    // ---------------------------------------------------------------- plumbing

    /**
     * Waits for {@code future} with the socket paused, then runs {@code then} on the event loop.
     * With {@code guarded} the wait ends after the command timeout as a failure.
     */
    private <T> void await(Future<T> future, boolean guarded, Consumer<AsyncResult<T>> then) {
        busy = true;
        long op = ++operation;
        cancelTimer();
        if (guarded) {
            long ms = options.commandTimeout().toMillis();
            guardTimer = vertx.setTimer(ms, t -> {
                guardTimer = -1;
                finish(op, Future.failedFuture(new TimeoutException("no answer from the handler within " + ms + " ms")),
                        then);
            });
        }
        if (future == null) {
            future = Future.failedFuture(new NullPointerException("the handler returned no future"));
        }
        future.onComplete(ar -> onContext(() -> finish(op, ar, then)));
        if (!processing && busy && !closed) {
            socket.pause();
        }
    }

    private <T> void finish(long op, AsyncResult<T> result, Consumer<AsyncResult<T>> then) {
        if (op != operation || !busy) {
            return; // answered already (timeout) or superseded
        }
        operation++;
        busy = false;
        if (guardTimer != -1) {
            vertx.cancelTimer(guardTimer);
            guardTimer = -1;
        }
        if (closed) {
            return;
        }
        try {
            then.accept(result);
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s [%s] internal error", id, options.name());
            closeWith(new SmtpdReply(421, "4.3.0", "Error: internal error, closing connection"));
            return;
        }
        if (!busy) {
            process();
        }
    }

    private void protocolError(SmtpdReply reply) {
        protocolErrors++;
        if (protocolErrors >= MAX_PROTOCOL_ERRORS) {
            reply(reply);
            closeWith(new SmtpdReply(421, "4.7.0", "Too many errors, closing connection"));
        } else {
            reply(reply);
        }
    }

    private void reply(SmtpdReply reply) {
        if (closed) {
            return;
        }
        if (LOG.isTraceEnabled()) {
            LOG.tracef("%s S: %s", id, reply);
        }
        socket.write(Buffer.buffer(reply.render().getBytes(StandardCharsets.UTF_8)));
    }

    /** Sends {@code reply} (if any) and closes the connection. */
    private void closeWith(SmtpdReply reply) {
        if (closed) {
            return;
        }
        if (reply != null) {
            reply(reply);
        }
        closed = true;
        mode = Mode.CLOSED;
        cancelTimer();
        collector = null;
        reader.discard();
        long force = vertx.setTimer(CLOSE_GRACE_MS, t -> socket.close());
        // An empty write completes once everything before it has been flushed.
        socket.write(Buffer.buffer()).onComplete(ar -> {
            vertx.cancelTimer(force);
            socket.close();
        });
    }

    private void onClosed() {
        if (!closed) {
            LOG.debugf("%s [%s] connection closed by %s%s", id, options.name(), ip,
                    mode == Mode.DATA ? " during DATA" : "");
        }
        closed = true;
        mode = Mode.CLOSED;
        cancelTimer();
        if (guardTimer != -1) {
            vertx.cancelTimer(guardTimer);
            guardTimer = -1;
        }
        if (collector != null) {
            server.noteMessageBuffer(collector.bufferedCapacity());
            collector = null;
        }
        reader.discard();
        if (!released) {
            released = true;
            server.sessionClosed(this);
            try {
                handler.sessionClosed(info());
            } catch (RuntimeException e) {
                LOG.debugf("%s [%s] handler failed on close: %s", id, options.name(), String.valueOf(e));
            }
        }
        closedPromise.tryComplete();
    }

    private void onException(Throwable e) {
        LOG.debugf("%s [%s] connection error: %s", id, options.name(), String.valueOf(e));
        if (!closed) {
            closed = true;
            mode = Mode.CLOSED;
            cancelTimer();
            socket.close();
        }
    }

    private void onTimeout() {
        timer = -1;
        if (closed || busy) {
            return;
        }
        LOG.debugf("%s [%s] timeout, closing connection from %s", id, options.name(), ip);
        closeWith(new SmtpdReply(421, "4.4.2", options.hostname() + " Error: timeout exceeded"));
    }

    /** Waits for the next input: the idle timeout between commands, the command timeout inside one. */
    private void armTimer() {
        if (closed) {
            return;
        }
        cancelTimer();
        boolean betweenCommands = mode == Mode.COMMAND && !reader.hasPartialLine();
        long ms = (betweenCommands ? options.idleTimeout() : options.commandTimeout()).toMillis();
        timer = vertx.setTimer(ms, t -> onTimeout());
    }

    private void cancelTimer() {
        if (timer != -1) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private void onContext(Runnable action) {
        if (Vertx.currentContext() == context) {
            action.run();
        } else {
            context.runOnContext(v -> action.run());
        }
    }

    private void resetTransaction() {
        reversePath = null;
        mailParams = Map.of();
        recipients.clear();
        utf8Transaction = false;
        collector = null;
    }

    private SessionInfo info() {
        return new SessionInfo(id, remote, helo, tls, authUser, trusted);
    }

    private int commandLineLimit() {
        return Math.max(options.maxLineLength(), AUTH_LINE_LIMIT);
    }

    /** A command line as UTF-8 text, or null when it has control characters or is not UTF-8. */
    private static String decode(LineReader.Line line) {
        byte[] b = line.bytes();
        for (int i = 0; i < line.length(); i++) {
            int c = b[i] & 0xff;
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, 0, line.length()))
                    .toString()
                    .replace('\t', ' ');
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static byte[] base64(String text) {
        if (text.equals("=")) {
            return new byte[0]; // RFC 4954 §4: an empty initial response
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int indexOf(byte[] bytes, int value, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static String firstToken(String arg) {
        int sp = arg.indexOf(' ');
        return sp < 0 ? arg : arg.substring(0, sp);
    }

    /** For logs: client text with anything unprintable replaced, and cut short. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > 200 ? sb.append("...").toString() : sb.toString();
    }
}
