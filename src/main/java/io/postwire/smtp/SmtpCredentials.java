package io.postwire.smtp;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What the client authenticates with at a relay: a user name, a password and the SASL mechanisms
 * it may use. When the server offers several allowed mechanisms, PLAIN wins over LOGIN because it
 * needs one round trip instead of three.
 *
 * <p>{@link #toString()} never shows the password, so a credentials object can be logged safely.
 */
public record SmtpCredentials(String username, String password, Set<AuthMechanism> mechanisms) {

    public SmtpCredentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(mechanisms, "mechanisms");
        if (username.isEmpty()) {
            throw new IllegalArgumentException("username must not be empty");
        }
        if (mechanisms.isEmpty()) {
            throw new IllegalArgumentException("at least one AUTH mechanism must be allowed");
        }
        // A NUL would split the PLAIN initial response into different fields (RFC 4616 §2).
        if (username.indexOf('\0') >= 0 || password.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("username and password must not contain NUL");
        }
        mechanisms = Set.copyOf(EnumSet.copyOf(mechanisms));
    }

    /** Credentials that may use PLAIN or LOGIN, whichever the server offers (PLAIN preferred). */
    public static SmtpCredentials of(String username, String password) {
        return new SmtpCredentials(username, password, EnumSet.allOf(AuthMechanism.class));
    }

    /** Credentials restricted to one mechanism, e.g. for a server whose PLAIN is broken. */
    public static SmtpCredentials of(String username, String password, AuthMechanism mechanism) {
        return new SmtpCredentials(username, password, EnumSet.of(mechanism));
    }

    @Override
    public String toString() {
        return "SmtpCredentials[username=" + username + ", password=****, mechanisms=" + mechanisms + "]";
    }
}
