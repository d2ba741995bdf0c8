package io.postwire.mx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MxOrderTest {

    @Test
    void lowerPreferenceFirstAndEqualOnesInEveryOrderAboutEquallyOften() {
        List<MxHost> hosts = List.of(host("c", 20), host("x", 10), host("a", 20), host("b", 20), host("z", 30));
        Random random = new Random(42);
        Map<String, Integer> firstOfTheTwenties = new HashMap<>();

        for (int i = 0; i < 3000; i++) {
            List<MxHost> ordered = MxOrder.arrange(hosts, random);
            assertEquals(List.of(10, 20, 20, 20, 30),
                    ordered.stream().map(MxHost::preference).collect(Collectors.toList()));
            firstOfTheTwenties.merge(ordered.get(1).name(), 1, Integer::sum);
        }

        assertEquals(3, firstOfTheTwenties.size());
        firstOfTheTwenties.values()
                .forEach(count -> assertEquals(1000, count, 150, "fair share: " + firstOfTheTwenties));
    }

    @Test
    void leavesItsInputAlone() {
        List<MxHost> hosts = new java.util.ArrayList<>(List.of(host("b", 20), host("a", 10)));
        MxOrder.arrange(hosts, new Random(1));
        assertEquals("b", hosts.get(0).name());
    }

    private static MxHost host(String name, int preference) {
        return new MxHost(name, preference, List.of(InetAddress.getLoopbackAddress()));
    }
}
