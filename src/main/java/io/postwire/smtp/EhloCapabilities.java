package io.postwire.smtp;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The service extensions a server announced in its EHLO reply (RFC 5321 §4.1.1.1) that this
 * client acts on: PIPELINING (RFC 2920), STARTTLS (RFC 3207), AUTH mechanisms (RFC 4954), SIZE
 * (RFC 1870) and 8BITMIME (RFC 6152). After HELO there are none.
 *
 * @param maxSize the SIZE limit in octets, 0 when SIZE was announced without a limit, -1 when
 *                SIZE was not announced at all
 */
record EhloCapabilities(boolean pipelining, boolean startTls, Set<AuthMechanism> auth, long maxSize,
        boolean eightBitMime) {

    static final EhloCapabilities NONE = new EhloCapabilities(false, false, Set.of(), -1, false);

    EhloCapabilities {
        auth = Set.copyOf(auth);
    }

    boolean sizeAdvertised() {
        return maxSize >= 0;
    }

    /** Parses the lines of a 250 EHLO reply; the first line is the server's greeting name. */
    static EhloCapabilities parse(List<String> lines) {
        boolean pipelining = false;
        boolean startTls = false;
        boolean eightBit = false;
        long size = -1;
        Set<AuthMechanism> auth = EnumSet.noneOf(AuthMechanism.class);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            // Some old servers write "AUTH=LOGIN PLAIN"; treat '=' after the keyword like a space.
            String[] words = line.trim().toUpperCase(Locale.ROOT).split("[ =]+");
            if (words.length == 0 || words[0].isEmpty()) {
                continue;
            }
            switch (words[0]) {
                case "PIPELINING" -> pipelining = true;
                case "STARTTLS" -> startTls = true;
                case "8BITMIME" -> eightBit = true;
                case "SIZE" -> size = words.length > 1 ? parseSize(words[1]) : 0;
                case "AUTH" -> {
                    for (int i = 1; i < words.length; i++) {
                        if (words[i].equals("PLAIN")) {
                            auth.add(AuthMechanism.PLAIN);
                        } else if (words[i].equals("LOGIN")) {
                            auth.add(AuthMechanism.LOGIN);
                        } else if (words[i].equals("XOAUTH2")) {
                            auth.add(AuthMechanism.XOAUTH2);
                        }
                    }
                }
                default -> {
                    // Extensions we do not use (DSN, SMTPUTF8, CHUNKING, ...) are ignored.
                }
            }
        }
        return new EhloCapabilities(pipelining, startTls, auth, size, eightBit);
    }

    private static long parseSize(String word) {
        try {
            return Math.max(0, Long.parseLong(word));
        } catch (NumberFormatException e) {
            return 0; // a garbled limit is treated as "no limit announced", the server still decides
        }
    }
}
