package io.postwire.mx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Puts MX hosts in the order to try them. RFC 5321 §5.1: lower preference first, and hosts of
 * equal preference in random order so that senders spread their load over them.
 */
final class MxOrder {

    private MxOrder() {
    }

    /** A new list sorted by preference with each run of equal preferences shuffled. */
    static List<MxHost> arrange(List<MxHost> hosts, Random random) {
        List<MxHost> sorted = new ArrayList<>(hosts);
        sorted.sort(Comparator.comparingInt(MxHost::preference));
        int start = 0;
        while (start < sorted.size()) {
            int end = start + 1;
            while (end < sorted.size() && sorted.get(end).preference() == sorted.get(start).preference()) {
                end++;
            }
            Collections.shuffle(sorted.subList(start, end), random);
            start = end;
        }
        return sorted;
    }
}
