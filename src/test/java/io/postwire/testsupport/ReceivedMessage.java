package io.postwire.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A message as {@link TestSmtpServer} received it.
 *
 * @param mailFrom   the reverse-path from MAIL FROM, without brackets
 * @param recipients the recipients whose RCPT was accepted, in order
 * @param data       the message bytes exactly as received, after removing dot-stuffing and the
 *                   terminating {@code .CRLF}
 * @param tls        whether the session had switched to TLS with STARTTLS
 * @param authUser   the user that authenticated, or null
 * @param clientAddress the IP address the client connected from
 * @param helo       the name the client gave in its last EHLO or HELO, or null
 */
public record ReceivedMessage(String mailFrom, List<String> recipients, byte[] data, boolean tls, String authUser,
        String clientAddress, String helo) {

    public ReceivedMessage {
        recipients = List.copyOf(recipients);
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** The data decoded as UTF-8, for readable assertions. */
    public String text() {
        return new String(data, StandardCharsets.UTF_8);
    }
}
