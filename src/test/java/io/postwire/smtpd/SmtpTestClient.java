package io.postwire.smtpd;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;

/**
 * A blocking SMTP client for tests, on plain {@code java.net} sockets so it shares no code with
 * the server: it sends exactly the bytes it is given, reads reply lines, and can start TLS on the
 * open connection. Every exchange goes into a transcript for failure messages.
 */
final class SmtpTestClient implements Closeable {

    private final int port;
    private final StringBuilder transcript;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private SmtpTestClient(int port, StringBuilder transcript) {
        this.port = port;
        this.transcript = transcript;
    }

    static SmtpTestClient connect(int port, boolean implicitTls, StringBuilder transcript) throws IOException {
        SmtpTestClient c = new SmtpTestClient(port, transcript);
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
        plain.setSoTimeout(10_000);
        c.use(implicitTls ? c.handshake(plain) : plain);
        return c;
    }

    static SmtpTestClient connect(int port) throws IOException {
        return connect(port, false, new StringBuilder());
    }

    void timeout(int ms) throws SocketException {
        socket.setSoTimeout(ms);
    }

    /** Sends the line and CRLF. */
    void send(String line) throws IOException {
        transcript.append("C: ").append(printable(line)).append('\n');
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Sends exactly these bytes. */
    void sendRaw(byte[] bytes) throws IOException {
        transcript.append("C> ").append(printable(new String(bytes, StandardCharsets.ISO_8859_1), 300)).append('\n');
        out.write(bytes);
        out.flush();
    }

    /** The next line from the server without its CRLF; null at end of stream. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() > 0) {
                    throw new IOException("connection closed in the middle of a line: " + line);
                }
                transcript.append("S: <closed>\n");
                return null;
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.UTF_8);
                if (!s.endsWith("\r")) {
                    throw new IOException("server line without CRLF: " + s);
                }
                s = s.substring(0, s.length() - 1);
                transcript.append("S: ").append(s).append('\n');
                return s;
            }
            line.write(b);
        }
    }

    /** All lines of the next reply. */
    List<String> readReply() throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = readLine();
            if (line == null) {
                throw new IOException("connection closed, reply so far: " + lines);
            }
            lines.add(line);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return lines;
    }

    /** The last line of the next reply. */
    String reply() throws IOException {
        List<String> lines = readReply();
        return lines.get(lines.size() - 1);
    }

    /** Sends a command and returns the last line of its reply. */
    String command(String line) throws IOException {
        send(line);
        return reply();
    }

    /** TLS handshake on the open connection; no server byte may be waiting unread. */
    void startTls() throws IOException {
        if (in.available() > 0) {
            throw new IOException("the server sent data after its STARTTLS reply");
        }
        transcript.append("-- TLS handshake\n");
        use(handshake(socket));
    }

    boolean isTls() {
        return socket instanceof SSLSocket;
    }

    /**
     * True when the server closes the connection within {@code ms} without sending anything more;
     * false when it stays open. Data from the server fails the call.
     */
    boolean closedByServer(int ms) throws IOException {
        int old = socket.getSoTimeout();
        socket.setSoTimeout(ms);
        try {
            int b = in.read();
            if (b < 0) {
                transcript.append("S: <closed>\n");
                return true;
            }
            byte[] rest = new byte[Math.max(0, in.available())];
            int n = in.read(rest);
            throw new IOException("unexpected data from server: "
                    + printable(((char) b) + new String(rest, 0, Math.max(0, n), StandardCharsets.UTF_8)));
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            transcript.append("S: <reset>\n");
            return true; // reset by peer
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(old);
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket cannot fail in a way that matters
        }
    }

    private Socket handshake(Socket plain) throws IOException {
        SSLSocket ssl = (SSLSocket) TestTls.trustAllClient().getSocketFactory()
                .createSocket(plain, "localhost", port, true);
        ssl.setSoTimeout(plain.getSoTimeout());
        ssl.startHandshake();
        return ssl;
    }

    private void use(Socket s) throws IOException {
        socket = s;
        in = new BufferedInputStream(s.getInputStream());
        out = s.getOutputStream();
    }

    static String printable(String s) {
        return printable(s, 2000);
    }

    static String printable(String s, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < max; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        if (s.length() > max) {
            sb.append("...(").append(s.length()).append(" chars)");
        }
        return sb.toString();
    }
}
