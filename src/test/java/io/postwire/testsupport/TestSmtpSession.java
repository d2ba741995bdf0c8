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
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private boolean tls;
    private String authUser;
    /** The name the client gave in its last EHLO or HELO. */
    private String helo;
    private String mailFrom;
    private final List<String> recipients = new ArrayList<>();

    TestSmtpSession(TestSmtpServer server, Socket socket) {
        this.server = server;
        this.socket = socket;
    }

    @Override
    public void run() {
        try {
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            if (faults().silent) {
                while (in.read() != -1) {
                    // say nothing; wait until the client gives up
                }
                return;
            }
            String greeting = options().greeting();
            reply(greeting);
            if (greeting.startsWith("421")) {
                return; // RFC 5321 §3.8: 421 closes the channel
            }
            boolean serving = greeting.startsWith("220");
            String line;
            while ((line = readLine()) != null) {
                if (!(serving ? handle(line) : refuse(line))) {
                    return;
                }
            }
        } catch (IOException e) {
            // client went away; nothing to report
        } finally {
            close();
        }
    }

    private TestSmtpServer.Options options() {
        return server.options();
    }

    private TestSmtpServer.Faults faults() {
        return server.options().faults();
    }

    /** After a 554 greeting: RFC 5321 §3.1, wait for QUIT and answer anything else with 503. */
    private boolean refuse(String line) throws IOException {
        server.logCommand(line);
        if (line.toUpperCase(Locale.ROOT).startsWith("QUIT")) {
            reply("221 2.0.0 bye");
            return false;
        }
        reply("503 5.5.1 no SMTP service here");
        return true;
    }

    /** Answers one command; false ends the session. */
    private boolean handle(String line) throws IOException {
        String upper = line.toUpperCase(Locale.ROOT);
        String verb = upper.split(" ", 2)[0];
        server.logCommand(verb.equals("AUTH") ? withoutCredentials(upper) : line);
        String forced = faults().replies.get(verb);
        if (forced != null) {
            reply(forced);
            return !forced.startsWith("421");
        }
        switch (verb) {
            case "EHLO" -> { helo = argument(line); ehlo(line); }
            case "HELO" -> { helo = argument(line); resetTransaction(); reply("250 localhost"); }
            case "STARTTLS" -> { return startTls(); }
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

    private static String argument(String line) {
        return line.length() > 5 ? line.substring(5).strip() : "";
    }

    /** "AUTH PLAIN dGVzdA==" is logged as "AUTH PLAIN": the rest is a credential. */
    private static String withoutCredentials(String authLine) {
        String[] words = authLine.split(" ");
        return words.length > 1 ? words[0] + " " + words[1] : words[0];
    }

    private void ehlo(String line) throws IOException {
        TestSmtpServer.Options options = options();
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
        if (faults().sizeAnnounced) {
            lines.add("SIZE " + faults().sizeLimit);
        }
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
        write(sb.toString());
    }

    private boolean authOffered() {
        return options().authRequired() && (tls || !options().startTls());
    }

    private boolean startTls() throws IOException {
        if (!options().startTls() || tls) {
            reply("502 5.5.1 STARTTLS not available");
            return true;
        }
        reply("220 2.0.0 ready to start TLS");
        switch (faults().startTlsFault) {
            case CLOSE -> {
                return false;
            }
            case GARBAGE -> {
                in.read(new byte[512]); // the client's hello
                write("this is no TLS record\r\n");
                return false;
            }
            default -> {
                // a real handshake
            }
        }
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
        return true;
    }

    private void auth(String line) throws IOException {
        String[] parts = line.split(" ");
        if (!authOffered() || parts.length < 2) {
            reply("503 5.5.1 AUTH not available");
            return;
        }
        String mechanism = parts[1].toUpperCase(Locale.ROOT);
        String initial = parts.length > 2 ? parts[2] : null;
        TestSmtpServer.Options options = options();
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
        TestSmtpServer.Xoauth2 x = options().xoauth2();
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
        if (options().authRequired() && authUser == null) {
            reply("530 5.7.0 authentication required");
        } else if (faults().sizeAnnounced && declaredSize(line) > faults().sizeLimit) {
            reply("552 5.3.4 message size exceeds fixed maximum message size");
        } else if (mailFrom != null) {
            reply("503 5.5.1 nested MAIL command");
        } else if (!line.toUpperCase(Locale.ROOT).startsWith("MAIL FROM:<") || line.indexOf('>') < 0) {
            reply("501 5.5.4 syntax: MAIL FROM:<address>");
        } else {
            mailFrom = line.substring("MAIL FROM:<".length(), line.indexOf('>'));
            reply("250 2.1.0 sender ok");
        }
    }

    /** The SIZE= parameter of a MAIL command (RFC 1870), or -1. */
    private static long declaredSize(String line) {
        for (String word : line.toUpperCase(Locale.ROOT).split(" ")) {
            if (word.startsWith("SIZE=")) {
                try {
                    return Long.parseLong(word.substring(5));
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
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
        TestSmtpServer.Faults faults = faults();
        InputStream commands = in;
        if (faults.bodyBytesPerSecond > 0) {
            in = new ThrottledInputStream(commands, faults.bodyBytesPerSecond);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] line;
        int read = 0;
        try {
            while ((line = readRawLine()) != null) {
                read += line.length;
                if (faults.disconnectAfterBodyBytes >= 0 && read >= faults.disconnectAfterBodyBytes) {
                    return false; // hang up in the middle of the message
                }
                if (line.length == 3 && line[0] == '.' && line[1] == '\r' && line[2] == '\n') {
                    break;
                }
                int skip = line.length > 0 && line[0] == '.' ? 1 : 0; // undo dot-stuffing
                body.write(line, skip, line.length - skip);
            }
        } finally {
            in = commands;
        }
        if (line == null) {
            return false; // connection lost mid-message: nothing is delivered
        }
        TestSmtpServer.Options options = options();
        if (options.hangAfterData()) {
            while (readRawLine() != null) {
                // never answer; wait until the client gives up and closes
            }
            return false;
        }
        String verdict = options.dataReply() != null
                ? options.dataReply() : "250 2.0.0 queued as " + server.nextQueueId();
        if (body.size() > faults.sizeLimit) {
            verdict = "552 5.3.4 message size exceeds fixed maximum message size";
        }
        if (verdict.startsWith("2")) {
            server.received(new ReceivedMessage(mailFrom, recipients, body.toByteArray(), tls, authUser,
                    socket.getInetAddress().getHostAddress(), helo));
        }
        if (faults.unterminatedFinalReply) {
            write(verdict); // no CRLF, then hang up
            return false;
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
        write(line + "\r\n");
    }

    /** Writes at once, or in 5-octet pieces when replies are to come slowly. */
    private void write(String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long delay = faults().pieceDelayMs;
        if (delay <= 0) {
            out.write(bytes);
            out.flush();
            return;
        }
        for (int i = 0; i < bytes.length; i += 5) {
            out.write(bytes, i, Math.min(5, bytes.length - i));
            out.flush();
            pause(delay);
        }
    }

    private static void pause(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Hands out at most {@code bytesPerSecond / 10} octets per 100 ms from the stream beneath: the
     * session reaches the final dot late, as behind a slow link (the kernel and the buffer below
     * may still take the sender's bytes early).
     */
    private static final class ThrottledInputStream extends InputStream {
        private final InputStream source;
        private final int perTick;
        private int left;

        ThrottledInputStream(InputStream source, int bytesPerSecond) {
            this.source = source;
            this.perTick = Math.max(1, bytesPerSecond / 10);
            this.left = perTick;
        }

        @Override
        public int read() throws IOException {
            if (left == 0) {
                pause(100);
                left = perTick;
            }
            left--;
            return source.read();
        }
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
