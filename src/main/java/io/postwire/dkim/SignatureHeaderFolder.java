package io.postwire.dkim;

/**
 * Lays out the DKIM-Signature header on lines of at most 78 columns (RFC 5322 §2.1.1), folding
 * with CRLF TAB.
 *
 * <p>Tags are only folded at the spaces already in the tag list, because relaxed header
 * canonicalization turns a fold into one SP: folding anywhere else would change what was signed.
 * The {@code b=} value is the exception: verifiers delete it with all whitespace inside before
 * hashing (RFC 6376 §3.5), so it may be cut anywhere.
 */
final class SignatureHeaderFolder {

    static final String NAME = "DKIM-Signature";
    private static final int MAX_COLUMNS = 78;
    private static final String FOLD = "\r\n\t";

    private SignatureHeaderFolder() {
    }

    /**
     * @param tagsEndingInB the tag list, single-space separated, ending with {@code "b="}
     * @param signature the base64 signature that goes after {@code b=}
     * @return the complete header field including its final CRLF
     */
    static String fold(String tagsEndingInB, String signature) {
        StringBuilder out = new StringBuilder(tagsEndingInB.length() + signature.length() + 64);
        out.append(NAME).append(':');
        int column = out.length();
        for (String word : tagsEndingInB.split(" ")) {
            if (column + 1 + word.length() > MAX_COLUMNS) {
                out.append(FOLD);
                column = 1;
            } else {
                out.append(' ');
                column++;
            }
            out.append(word);
            column += word.length();
        }
        int pos = 0;
        while (pos < signature.length()) {
            if (column >= MAX_COLUMNS) {
                out.append(FOLD);
                column = 1;
            }
            int take = Math.min(MAX_COLUMNS - column, signature.length() - pos);
            out.append(signature, pos, pos + take);
            pos += take;
            column += take;
        }
        return out.append("\r\n").toString();
    }
}
