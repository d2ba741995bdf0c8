package io.postwire.smtp;

import io.postwire.oauth.TokenSource;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What the client authenticates with at a relay: a user name, and either a password (PLAIN,
 * LOGIN) or a source of OAuth 2.0 bearer tokens (XOAUTH2), plus the SASL mechanisms it may use.
 * When the server offers several allowed password mechanisms, PLAIN wins over LOGIN because it
 * needs one round trip instead of three.
 *
 * <p>{@link #toString()} never shows the password or a token, so a credentials object can be
 * logged safely.
 *
 * @param password null for token credentials
 * @param tokens   null for password credentials
 */
public record SmtpCredentials(String username, String password, Set<AuthMechanism> mechanisms, TokenSource tokens) {

    private static final Set<AuthMechanism> PASSWORD_MECHANISMS = EnumSet.of(AuthMechanism.PLAIN, AuthMechanism.LOGIN);

    public SmtpCredentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(mechanisms, "mechanisms");
        if (username.isEmpty()) {
            throw new IllegalArgumentException("username must not be empty");
        }
        if (mechanisms.isEmpty()) {
            throw new IllegalArgumentException("at least one AUTH mechanism must be allowed");
        }
        if ((password == null) == (tokens == null)) {
            throw new IllegalArgumentException("exactly one of password and tokens must be set");
        }
        if (tokens != null && !mechanisms.equals(EnumSet.of(AuthMechanism.XOAUTH2))) {
            throw new IllegalArgumentException("token credentials authenticate with XOAUTH2 only");
        }
        if (password != null && mechanisms.contains(AuthMechanism.XOAUTH2)) {
            throw new IllegalArgumentException(
                    "XOAUTH2 needs a token source, not a password: use SmtpCredentials.xoauth2(user, tokens)");
        }
        // A NUL would split the PLAIN initial response into different fields (RFC 4616 §2); a
        // ^A would do the same to the XOAUTH2 one, whose fields it separates.
        if (username.indexOf('\0') >= 0 || (password != null && password.indexOf('\0') >= 0)) {
            throw new IllegalArgumentException("username and password must not contain NUL");
        }
        if (tokens != null && username.indexOf('\u0001') >= 0) {
            throw new IllegalArgumentException("username must not contain ^A (0x01)");
        }
        mechanisms = Set.copyOf(EnumSet.copyOf(mechanisms));
    }

    /** Password credentials, as before token credentials existed. */
    public SmtpCredentials(String username, String password, Set<AuthMechanism> mechanisms) {
        this(username, Objects.requireNonNull(password, "password"), mechanisms, null);
    }

    /** Credentials that may use PLAIN or LOGIN, whichever the server offers (PLAIN preferred). */
    public static SmtpCredentials of(String username, String password) {
        return new SmtpCredentials(username, password, PASSWORD_MECHANISMS);
    }

    /** Credentials restricted to one mechanism, e.g. for a server whose PLAIN is broken. */
    public static SmtpCredentials of(String username, String password, AuthMechanism mechanism) {
        return new SmtpCredentials(username, password, EnumSet.of(mechanism));
    }

    /**
     * SASL XOAUTH2 with tokens from {@code tokens}, e.g. an {@link io.postwire.oauth.OAuth2TokenSource}
     * for Microsoft 365. {@code username} is the mailbox the relay authenticates ("user=").
     */
    public static SmtpCredentials xoauth2(String username, TokenSource tokens) {
        return new SmtpCredentials(username, null, EnumSet.of(AuthMechanism.XOAUTH2),
                Objects.requireNonNull(tokens, "tokens"));
    }

    @Override
    public String toString() {
        return "SmtpCredentials[username=" + username
                + (tokens != null ? ", tokens=" + tokens : ", password=****")
                + ", mechanisms=" + mechanisms + "]";
    }
}
