package io.postwire.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLSocket;

/**
 * One client connection of {@link TestSmtpServer}: reads commands and answers them, one method
 * per verb, following the server's {@link TestSmtpServer.Options}.
 */
final class TestSmtpSession implements Runnable {

    private static final int MAX_LINE = 64 * 1024;

    private final TestSmtpServer server;
    private final TestSmtpServer.Options options;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private boolean tls;
    private String authUser;
    private String mailFrom;
    private final List<String> recipients = new ArrayList<>();

    TestSmtpSession(TestSmtpServer server, Socket socket) {
        this.server = server;
        this.options = server.options();
        this.socket = socket;
    }

    @Override
    public void run() {
        try {
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            reply(options.greeting());
            if (!options.greeting().startsWith("220")) {
                return;
            }
            String line;
            while ((line = readLine()) != null) {
                if (!handle(line)) {
                    return;
                }
            }
        } catch (IOException e) {
            // client went away; nothing to report
        } finally {
            close();
        }
    }

    /** Answers one command; false ends the session. */
    private boolean handle(String line) throws IOException {
        String upper = line.toUpperCase(Locale.ROOT);
        String verb = upper.split(" ", 2)[0];
        server.logCommand(verb.equals("AUTH") ? withoutCredentials(upper) : line);
        switch (verb) {
            case "EHLO" -> ehlo(line);
            case "HELO" -> { resetTransaction(); reply("250 localhost"); }
            case "STARTTLS" -> startTls();
            case "AUTH" -> auth(line);
            case "MAIL" -> mail(line);
            case "RCPT" -> { return rcpt(line); }
            case "DATA" -> { return data(); }
            case "RSET" -> { resetTransaction(); reply("250 2.0.0 ok"); }
            case "NOOP" -> reply("250 2.0.0 ok");
            case "QUIT" -> { reply("221 2.0.0 bye"); return false; }
            default -> reply("500 5.5.2 command not recognized");
        }
        return true;
    }

    /** "AUTH PLAIN dGVzdA==" is logged as "AUTH PLAIN": the rest is a credential. */
    private static String withoutCredentials(String authLine) {
        String[] words = authLine.split(" ");
        return words.length > 1 ? words[0] + " " + words[1] : words[0];
    }

    private void ehlo(String line) throws IOException {
        if (!options.ehlo()) {
            reply("502 5.5.1 EHLO not implemented");
            return;
        }
        resetTransaction();
        List<String> lines = new ArrayList<>();
        lines.add("localhost greets " + (line.length() > 5 ? line.substring(5) : "you"));
        if (options.pipelining()) {
            lines.add("PIPELINING");
        }
        lines.add("SIZE 10485760");
        lines.add("8BITMIME");
        if (options.startTls() && !tls) {
            lines.add("STARTTLS");
        }
        if (authOffered()) {
            // Microsoft 365 announces "AUTH LOGIN XOAUTH2"; the mechanisms follow the options.
            lines.add("AUTH" + (options.authUser() != null ? " PLAIN LOGIN" : "")
                    + (options.xoauth2() != null ? " XOAUTH2" : ""));
        }
        lines.add("ENHANCEDSTATUSCODES");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            sb.append("250").append(i == lines.size() - 1 ? ' ' : '-').append(lines.get(i)).append("\r\n");
        }
        out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private boolean authOffered() {
        return options.authRequired() && (tls || !options.startTls());
    }

    private void startTls() throws IOException {
        if (!options.startTls() || tls) {
            reply("502 5.5.1 STARTTLS not available");
            return;
        }
        reply("220 2.0.0 ready to start TLS");
        SSLSocket ssl = (SSLSocket) server.tlsContext().getSocketFactory()
                .createSocket(socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
        ssl.setUseClientMode(false);
        ssl.startHandshake();
        server.forget(socket);
        server.track(ssl);
        socket = ssl;
        in = new BufferedInputStream(ssl.getInputStream());
        out = ssl.getOutputStream();
        tls = true;
        authUser = null;
        resetTransaction();
    }

    private void auth(String line) throws IOException {
        String[] parts = line.split(" ");
        if (!authOffered() || parts.length < 2) {
            reply("503 5.5.1 AUTH not available");
            return;
        }
        String mechanism = parts[1].toUpperCase(Locale.ROOT);
        String initial = parts.length > 2 ? parts[2] : null;
        if (mechanism.equals("XOAUTH2") && options.xoauth2() != null) {
            xoauth2(initial != null ? initial : challenge(""));
            return;
        }
        if (options.authUser() == null) {
            reply("504 5.5.4 mechanism not supported");
            return;
        }
        String user;
        String password;
        if (mechanism.equals("PLAIN")) {
            String response = initial != null ? initial : challenge("");
            String[] fields = decode(response).split("\0", -1);
            if (fields.length != 3) {
                reply("501 5.5.2 malformed PLAIN response");
                return;
            }
            user = fields[1];
            password = fields[2];
        } else if (mechanism.equals("LOGIN")) {
            user = decode(initial != null ? initial : challenge("VXNlcm5hbWU6"));
            password = decode(challenge("UGFzc3dvcmQ6"));
        } else {
            reply("504 5.5.4 mechanism not supported");
            return;
        }
        if (options.authUser().equals(user) && options.authPassword().equals(password)) {
            authUser = user;
            reply("235 2.7.0 authentication succeeded");
        } else {
            reply("535 5.7.8 authentication credentials invalid");
        }
    }

    /**
     * Checks an XOAUTH2 initial response, {@code user=U ^A auth=Bearer T ^A ^A}, exactly: a
     * malformed one gets 501, so a client bug cannot pass as a refused token.
     */
    private void xoauth2(String response) throws IOException {
        TestSmtpServer.Xoauth2 x = options.xoauth2();
        String decoded = decode(response);
        String[] fields = decoded.split("\u0001", -1);
        if (fields.length != 4 || !fields[0].startsWith("user=") || !fields[1].startsWith("auth=Bearer ")
                || !fields[2].isEmpty() || !fields[3].isEmpty()) {
            reply("501 5.5.2 malformed XOAUTH2 response");
            return;
        }
        String user = fields[0].substring("user=".length());
        String token = fields[1].substring("auth=Bearer ".length());
        server.logXoauth2Token(token);
        if (x.forcedReply() != null) {
            reply(x.forcedReply());
            return;
        }
        if (x.user().equals(user) && x.tokenCheck().test(token)) {
            authUser = user;
            reply("235 2.7.0 Authentication successful");
            return;
        }
        if (x.challengeOnFailure()) {
            String json = "{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://outlook.office.com/SMTP.Send\"}";
            String ack = challenge(Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)));
            if (!ack.isEmpty()) {
                reply("501 5.5.2 expected an empty line after the XOAUTH2 error");
                return;
            }
        }
        reply("535 5.7.3 Authentication unsuccessful");
    }

    private String challenge(String text) throws IOException {
        reply("334 " + text);
        String line = readLine();
        return line == null ? "" : line;
    }

    private static String decode(String b64) {
        try {
            return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private void mail(String line) throws IOException {
        if (options.authRequired() && authUser == null) {
            reply("530 5.7.0 authentication required");
        } else if (mailFrom != null) {
            reply("503 5.5.1 nested MAIL command");
        } else if (!line.toUpperCase(Locale.ROOT).startsWith("MAIL FROM:<") || line.indexOf('>') < 0) {
            reply("501 5.5.4 syntax: MAIL FROM:<address>");
        } else {
            mailFrom = line.substring("MAIL FROM:<".length(), line.indexOf('>'));
            reply("250 2.1.0 sender ok");
        }
    }

    private boolean rcpt(String line) throws IOException {
        if (mailFrom == null) {
            reply("503 5.5.1 need MAIL first");
            return true;
        }
        if (!line.toUpperCase(Locale.ROOT).startsWith("RCPT TO:<") || line.indexOf('>') < 0) {
            reply("501 5.5.4 syntax: RCPT TO:<address>");
            return true;
        }
        String address = line.substring("RCPT TO:<".length(), line.indexOf('>'));
        String local = address.toLowerCase(Locale.ROOT);
        if (local.startsWith("tempfail")) {
            reply("451 4.3.0 try again later");
        } else if (local.startsWith("permfail")) {
            reply("550 5.1.1 mailbox unavailable");
        } else if (local.startsWith("disconnect")) {
            return false;
        } else {
            recipients.add(address);
            reply("250 2.1.5 ok");
        }
        return true;
    }

    private boolean data() throws IOException {
        if (mailFrom == null || recipients.isEmpty()) {
            reply("554 5.5.1 no valid recipients");
            return true;
        }
        reply("354 end data with <CR><LF>.<CR><LF>");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] line;
        while ((line = readRawLine()) != null) {
            if (line.length == 3 && line[0] == '.' && line[1] == '\r' && line[2] == '\n') {
                break;
            }
            int skip = line.length > 0 && line[0] == '.' ? 1 : 0; // undo dot-stuffing
            body.write(line, skip, line.length - skip);
        }
        if (line == null) {
            return false; // connection lost mid-message: nothing is delivered
        }
        if (options.hangAfterData()) {
            while (readRawLine() != null) {
                // never answer; wait until the client gives up and closes
            }
            return false;
        }
        String verdict = options.dataReply() != null
                ? options.dataReply() : "250 2.0.0 queued as " + server.nextQueueId();
        if (verdict.startsWith("2")) {
            server.received(new ReceivedMessage(mailFrom, recipients, body.toByteArray(), tls, authUser));
        }
        reply(verdict);
        resetTransaction();
        return true;
    }

    private void resetTransaction() {
        mailFrom = null;
        recipients.clear();
    }

    private void reply(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** A command line without its line end, or null at end of stream. */
    private String readLine() throws IOException {
        byte[] raw = readRawLine();
        if (raw == null) {
            return null;
        }
        int end = raw.length;
        while (end > 0 && (raw[end - 1] == '\n' || raw[end - 1] == '\r')) {
            end--;
        }
        return new String(raw, 0, end, StandardCharsets.UTF_8);
    }

    /** Bytes up to and including the next LF (or to end of stream), or null at end of stream. */
    private byte[] readRawLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            line.write(b);
            if (b == '\n' || line.size() > MAX_LINE) {
                break;
            }
        }
        return b == -1 && line.size() == 0 ? null : line.toByteArray();
    }

    private void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
        server.forget(socket);
    }
}
