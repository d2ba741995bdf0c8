package io.postwire.testsupport.dns;

import java.util.List;

/**
 * Records computed from the name asked, for zones too large to list: 10,000 domains each with its
 * own MX host cost a {@link TestDnsServer} nothing to hold this way, and no linear search.
 *
 * <p>{@link TestDnsServer} consults a zone only for names without a static record. A name for
 * which both methods answer nothing does not exist (NXDOMAIN); a name with only one kind of
 * record answers NODATA for the other types.
 */
public interface GeneratedZone {

    /** The MX exchanges of {@code name} (lower case, no trailing dot), best first; empty for none. */
    List<String> exchanges(String name);

    /** The IPv4 or IPv6 literal of {@code name}, or {@code null} for none. */
    String address(String name);
}
