package io.postwire.event;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one place that decides what an acceptable envelope address is. Deliberately stricter
 * than RFC 5321 (no quoted local parts, no address literals, no source routes): transactional
 * senders never need them and each of them is a classic injection vector.
 */
public final class Addresses {

    // Dot-atom local part (RFC 5322 §3.2.3) and an LDH domain with at least one dot.
    private static final Pattern ADDRESS = Pattern.compile(
            "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    + "@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$");

    /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets. */
    public static final int MAX_LENGTH = 254;

    private Addresses() {
    }

    public static boolean isValid(String address) {
        return address != null && address.length() <= MAX_LENGTH && ADDRESS.matcher(address).matches();
    }

    /** Throws with the field name so the error tells the producer what to fix. */
    public static String require(String field, String address) {
        if (!isValid(address)) {
            throw new IllegalArgumentException(field + " is not a valid address: " + address);
        }
        return address;
    }

    /** The domain, lower-cased: domains are case-insensitive and views group by them. */
    public static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return address.substring(at + 1).toLowerCase(Locale.ROOT);
    }
}
