package io.postwire.mtasts;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code _mta-sts} TXT record of a domain (RFC 8461 §3.1): {@code v=STSv1; id=20190429T010101;}
 * announces that a policy exists and which version it is; a new id means "fetch again".
 *
 * @param id 1 to 32 letters and digits
 */
record StsRecord(String id) {

    StsRecord {
        Objects.requireNonNull(id, "id");
    }

    /**
     * The one STSv1 record among the TXT records of {@code _mta-sts.<domain>}. Records that do not
     * start with {@code v=STSv1;} belong to something else and are skipped; when not exactly one
     * is left, or it is malformed, the domain has no usable policy (§3.1).
     */
    static Optional<StsRecord> select(List<String> texts) {
        List<String> candidates = new ArrayList<>();
        for (String text : texts) {
            if (text.startsWith("v=STSv1;")) {
                candidates.add(text);
            }
        }
        return candidates.size() == 1 ? parse(candidates.get(0)) : Optional.empty();
    }

    /**
     * Fields are {@code name=value} separated by {@code ;} with optional spaces around them
     * (§3.1's ABNF); unknown fields are ignored, {@code id} is required and must be well formed.
     */
    static Optional<StsRecord> parse(String text) {
        String id = null;
        String[] fields = text.split(";", -1);
        for (int i = 0; i < fields.length; i++) {
            String field = fields[i].strip();
            if (field.isEmpty()) {
                if (i == fields.length - 1) {
                    continue; // the trailing ";"
                }
                return Optional.empty();
            }
            int eq = field.indexOf('=');
            if (eq <= 0) {
                return Optional.empty();
            }
            String name = field.substring(0, eq);
            String value = field.substring(eq + 1);
            if (i == 0 && !(name.equals("v") && value.equals("STSv1"))) {
                return Optional.empty();
            }
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}") || !value.chars().allMatch(c -> c > 0x20
                    && c < 0x7f && c != ';' && c != '=')) {
                return Optional.empty();
            }
            if (name.equals("id")) {
                if (id != null || !value.matches("[A-Za-z0-9]{1,32}")) {
                    return Optional.empty();
                }
                id = value;
            }
        }
        return Optional.ofNullable(id).map(StsRecord::new);
    }
}
