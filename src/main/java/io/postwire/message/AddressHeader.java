package io.postwire.message;

import io.postwire.event.Addresses;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.james.mime4j.codec.EncoderUtil;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.AddressFormatter;
import org.apache.james.mime4j.field.address.DefaultAddressParser;
import org.apache.james.mime4j.field.address.ParseException;

/**
 * Turns {@code "Display Name <addr@domain>"} strings into the body of a From/To/Cc header, with
 * non-ASCII display names as UTF-8 RFC 2047 encoded-words.
 *
 * <p>mime4j's address parser only reads ASCII, and its formatter picks the smallest charset for
 * an encoded-word (often ISO-8859-1); so the display name is split off and encoded here, and
 * mime4j is used for the address itself and for quoting ASCII names.
 */
final class AddressHeader {

    private AddressHeader() {
    }

    static String format(List<String> addresses) {
        StringBuilder out = new StringBuilder();
        for (String address : addresses) {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(formatOne(address));
        }
        return out.toString();
    }

    static String formatOne(String address) {
        if (address == null || address.indexOf('\r') >= 0 || address.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("address must be non-null and contain no CR or LF");
        }
        String trimmed = address.strip();
        String name = "";
        String addrSpec = trimmed;
        int open = trimmed.lastIndexOf('<');
        if (open >= 0 && trimmed.endsWith(">")) {
            name = unquote(trimmed.substring(0, open).strip());
            addrSpec = trimmed.substring(open + 1, trimmed.length() - 1).strip();
        }
        String localPart;
        String domain;
        if (Addresses.isValid(addrSpec)) {
            // The strict dot-atom form every event carries needs no parsing or quoting; mime4j's
            // parser is costly on the hot path (it builds an exception per address).
            int at = addrSpec.lastIndexOf('@');
            localPart = addrSpec.substring(0, at);
            domain = addrSpec.substring(at + 1);
        } else {
            Mailbox parsed;
            try {
                parsed = DefaultAddressParser.DEFAULT.parseMailbox(addrSpec);
            } catch (ParseException | RuntimeException e) {
                throw new IllegalArgumentException("not an email address: '" + address + "'", e);
            }
            if (parsed.getDomain() == null || parsed.getName() != null) {
                throw new IllegalArgumentException("not an email address: '" + address + "'");
            }
            localPart = parsed.getLocalPart();
            domain = parsed.getDomain();
        }
        Mailbox mailbox = new Mailbox(localPart, domain);
        if (name.isEmpty()) {
            return mailbox.getAddress();
        }
        if (isAscii(name)) {
            return AddressFormatter.DEFAULT.encode(new Mailbox(name, localPart, domain));
        }
        // WORD_ENTITY restricts the Q encoding to what RFC 2047 §5(3) allows inside a phrase.
        return EncoderUtil.encodeEncodedWord(name, EncoderUtil.Usage.WORD_ENTITY, 0, StandardCharsets.UTF_8, null)
                + " <" + mailbox.getAddress() + ">";
    }

    /** Accepts {@code "Doe, John"} as the caller would type it; the formatter re-quotes if needed. */
    private static String unquote(String name) {
        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
            return name.substring(1, name.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return name;
    }

    static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 127) {
                return false;
            }
        }
        return true;
    }
}
