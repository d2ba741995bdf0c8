package io.postwire.smtpd;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the arguments of MAIL FROM and RCPT TO (RFC 5321 §4.1.2): the path in angle brackets and
 * the ESMTP parameters after it. Errors are thrown as the reply to send.
 */
final class CommandSyntax {

    /** A parsed MAIL/RCPT argument: the address without brackets and the parameters. */
    record PathAndParams(String address, Map<String, String> params) {
    }

    /** Thrown with the reply for a syntax error. */
    static final class SyntaxError extends Exception {
        final SmtpdReply reply;

        SyntaxError(SmtpdReply reply) {
            super(reply.toString(), null, false, false);
            this.reply = reply;
        }
    }

    private CommandSyntax() {
    }

    /**
     * Parses {@code FROM:<path> params} (keyword {@code "FROM:"}) or {@code TO:<path> params}.
     * One space after the colon is tolerated, as most servers do. The null path {@code <>} comes
     * back as {@code ""}; a source route ({@code <@a,@b:x@y>}) is dropped (RFC 5321 §4.1.2/C).
     *
     * @param badAddress the enhanced code for a bracketed but malformed address (5.1.7 for the
     *                   sender, 5.1.3 for a recipient)
     */
    static PathAndParams parse(String arg, String keyword, String badAddress) throws SyntaxError {
        String usage = "Syntax: " + ("FROM:".equals(keyword) ? "MAIL FROM:<address>" : "RCPT TO:<address>");
        if (arg.length() < keyword.length() || !arg.regionMatches(true, 0, keyword, 0, keyword.length())) {
            throw new SyntaxError(new SmtpdReply(501, "5.5.4", usage));
        }
        int i = keyword.length();
        while (i < arg.length() && arg.charAt(i) == ' ') {
            i++;
        }
        if (i >= arg.length() || arg.charAt(i) != '<') {
            throw new SyntaxError(new SmtpdReply(501, "5.5.4", usage));
        }
        int close = closingBracket(arg, i + 1);
        if (close < 0) {
            throw new SyntaxError(new SmtpdReply(501, "5.5.4", usage));
        }
        String inner = arg.substring(i + 1, close);
        String rest = arg.substring(close + 1);
        if (!rest.isEmpty() && rest.charAt(0) != ' ') {
            throw new SyntaxError(new SmtpdReply(501, "5.5.4", usage));
        }
        String address = stripSourceRoute(inner, badAddress);
        if (!address.isEmpty() && !validMailbox(address)) {
            throw new SyntaxError(new SmtpdReply(501, badAddress, "Bad address syntax"));
        }
        return new PathAndParams(address, parameters(rest));
    }

    /** ESMTP parameters {@code KEY[=VALUE]} separated by spaces; keys upper-cased, no duplicates. */
    static Map<String, String> parameters(String text) throws SyntaxError {
        Map<String, String> params = new LinkedHashMap<>();
        for (String token : text.trim().split(" +")) {
            if (token.isEmpty()) {
                continue;
            }
            int eq = token.indexOf('=');
            String key = (eq < 0 ? token : token.substring(0, eq)).toUpperCase(Locale.ROOT);
            String value = eq < 0 ? "" : token.substring(eq + 1);
            if (!key.matches("[A-Z0-9][A-Z0-9-]*") || (eq >= 0 && value.isEmpty()) || !validValue(value)) {
                throw new SyntaxError(new SmtpdReply(501, "5.5.4", "Bad parameter syntax"));
            }
            if (params.put(key, value) != null) {
                throw new SyntaxError(new SmtpdReply(501, "5.5.4", "Duplicate parameter " + key));
            }
        }
        return params;
    }

    /** True when the text has a character outside US-ASCII (RFC 6531 needs SMTPUTF8 for it). */
    static boolean nonAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return true;
            }
        }
        return false;
    }

    /** The index of the {@code '>'} that closes the path, skipping quoted strings; -1 if none. */
    private static int closingBracket(String s, int from) {
        boolean quoted = false;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '>') {
                return i;
            } else if (!quoted && c == '<') {
                return -1;
            }
        }
        return -1;
    }

    private static String stripSourceRoute(String inner, String badAddress) throws SyntaxError {
        if (!inner.startsWith("@")) {
            return inner;
        }
        int colon = inner.indexOf(':');
        if (colon < 0) {
            throw new SyntaxError(new SmtpdReply(501, badAddress, "Bad source route"));
        }
        for (String hop : inner.substring(0, colon).split(",", -1)) {
            if (hop.length() < 2 || hop.charAt(0) != '@' || !validDomain(hop.substring(1))) {
                throw new SyntaxError(new SmtpdReply(501, badAddress, "Bad source route"));
            }
        }
        String mailbox = inner.substring(colon + 1);
        if (mailbox.isEmpty()) {
            throw new SyntaxError(new SmtpdReply(501, badAddress, "Bad source route"));
        }
        return mailbox;
    }

    /**
     * RFC 5321 Mailbox: a dot-string or quoted-string local part, {@code @}, and a domain or an
     * address literal. Non-ASCII is allowed here (RFC 6531); whether it is permitted in this
     * transaction is checked by the caller. Also accepts a bare {@code Postmaster} (§4.5.1).
     */
    static boolean validMailbox(String address) {
        if (address.equalsIgnoreCase("postmaster")) {
            return true;
        }
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            return false;
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        return validLocalPart(local) && (validDomain(domain) || validAddressLiteral(domain));
    }

    private static boolean validLocalPart(String local) {
        if (local.startsWith("\"")) {
            if (local.length() < 2 || !local.endsWith("\"")) {
                return false;
            }
            for (int i = 1; i < local.length() - 1; i++) {
                char c = local.charAt(i);
                if (c == '\\') {
                    i++;
                    if (i >= local.length() - 1 || local.charAt(i) < 0x20 || local.charAt(i) == 0x7f) {
                        return false;
                    }
                } else if (c == '"' || c < 0x20 || c == 0x7f) {
                    return false;
                }
            }
            return true;
        }
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            if (!(atext(c) || c == '.')) {
                return false;
            }
        }
        return !local.isEmpty();
    }

    private static boolean validDomain(String domain) {
        if (domain.isEmpty() || domain.length() > 255 || domain.startsWith(".") || domain.endsWith(".")
                || domain.contains("..")) {
            return false;
        }
        for (int i = 0; i < domain.length(); i++) {
            char c = domain.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || (c > 0x7f && !Character.isWhitespace(c) && !Character.isISOControl(c));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean validAddressLiteral(String domain) {
        if (domain.length() < 3 || domain.charAt(0) != '[' || domain.charAt(domain.length() - 1) != ']') {
            return false;
        }
        String inside = domain.substring(1, domain.length() - 1);
        return inside.matches("\\d{1,3}(\\.\\d{1,3}){3}") || inside.matches("(?i)IPv6:[0-9a-f:.]+")
                || inside.matches("[A-Za-z0-9-]*[A-Za-z0-9]:[\\x21-\\x5a\\x5e-\\x7e]+");
    }

    /** RFC 5322 atext, plus any non-ASCII character (RFC 6531 UTF8-non-ascii). */
    private static boolean atext(char c) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return true;
        }
        if (c > 0x7f) {
            return !Character.isWhitespace(c) && !Character.isISOControl(c);
        }
        return "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
    }

    private static boolean validValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '=' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
