package io.postwire.smtpd;

import java.net.InetAddress;

/**
 * Who is talking, as the engine knows it at the moment it asks the handler.
 *
 * @param sessionId         unique per connection, for logs (never contains client data)
 * @param remote            the client's IP address
 * @param helo              the EHLO/HELO argument, null before the client sent one (or after STARTTLS)
 * @param tls               the connection is encrypted (implicit TLS or after STARTTLS)
 * @param authenticatedUser the AUTH user name, null if the client has not authenticated
 * @param trustedNetwork    the client's address is in {@link SmtpdOptions#trustedNetworks()}
 */
public record SessionInfo(String sessionId, InetAddress remote, String helo, boolean tls,
                          String authenticatedUser, boolean trustedNetwork) {

    public boolean authenticated() {
        return authenticatedUser != null;
    }
}
