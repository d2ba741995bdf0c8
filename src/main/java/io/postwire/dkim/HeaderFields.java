package io.postwire.dkim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The header fields of a CRLF message, in order, plus where its body starts. Header text is held
 * as ISO-8859-1 strings so that every byte (even raw UTF-8 from SMTPUTF8 senders) survives the
 * round trip to the hash unchanged.
 */
final class HeaderFields {

    /** One header field; {@code value} is everything after the colon, with folding CRLFs removed. */
    record Field(String name, String lowerName, String value) {

        /**
         * RFC 6376 §3.4.2 relaxed form: lowercase name, no WSP around the colon, WSP runs collapsed
         * to one SP, no leading or trailing WSP, then CRLF.
         */
        byte[] relaxed() {
            StringBuilder out = new StringBuilder(lowerName.length() + value.length() + 3);
            out.append(lowerName).append(':');
            boolean pendingSpace = false;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == ' ' || c == '\t') {
                    // Leading WSP is dropped by only emitting a pending space after content.
                    pendingSpace = out.length() > lowerName.length() + 1;
                } else {
                    if (pendingSpace) {
                        out.append(' ');
                        pendingSpace = false;
                    }
                    out.append(c);
                }
            }
            out.append("\r\n");
            return out.toString().getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    private final List<Field> fields;
    private final int bodyStart;

    private HeaderFields(List<Field> fields, int bodyStart) {
        this.fields = fields;
        this.bodyStart = bodyStart;
    }

    List<Field> fields() {
        return fields;
    }

    /** Offset of the first body byte, or the message length when there is no body. */
    int bodyStart() {
        return bodyStart;
    }

    int count(String lowerName) {
        int n = 0;
        for (Field f : fields) {
            if (f.lowerName().equals(lowerName)) {
                n++;
            }
        }
        return n;
    }

    /** Parses the header block of a message already normalized by {@link CrlfMessage}. */
    static HeaderFields parse(byte[] message) {
        List<Field> fields = new ArrayList<>();
        String name = null;
        StringBuilder value = new StringBuilder();
        int pos = 0;
        while (pos < message.length) {
            int eol = indexOfCrlf(message, pos);
            if (eol < 0) {
                eol = message.length;
            }
            if (eol == pos) {
                // The empty line: the body follows it.
                addField(fields, name, value);
                return new HeaderFields(List.copyOf(fields), Math.min(pos + 2, message.length));
            }
            String line = new String(message, pos, eol - pos, StandardCharsets.ISO_8859_1);
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (name == null) {
                    throw new IllegalArgumentException("message starts with a continuation line");
                }
                // Unfolding (RFC 5322 §2.2.3) is removing the CRLF; the WSP after it stays.
                value.append(line);
            } else {
                addField(fields, name, value);
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("malformed header line (no field name and colon): "
                            + abbreviate(line));
                }
                name = line.substring(0, colon);
                value.setLength(0);
                value.append(line, colon + 1, line.length());
            }
            pos = eol + 2;
        }
        addField(fields, name, value);
        return new HeaderFields(List.copyOf(fields), message.length);
    }

    private static void addField(List<Field> fields, String name, StringBuilder value) {
        if (name != null) {
            // Relaxed canonicalization also drops WSP between the name and the colon.
            String trimmed = name.stripTrailing();
            fields.add(new Field(trimmed, lowerAscii(trimmed), value.toString()));
        }
    }

    static String lowerAscii(String s) {
        char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'A' && chars[i] <= 'Z') {
                chars[i] = (char) (chars[i] + ('a' - 'A'));
            }
        }
        return new String(chars);
    }

    private static int indexOfCrlf(byte[] message, int from) {
        for (int i = from; i < message.length - 1; i++) {
            if (message[i] == '\r' && message[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static String abbreviate(String line) {
        return line.length() <= 60 ? line : line.substring(0, 60) + "...";
    }
}
