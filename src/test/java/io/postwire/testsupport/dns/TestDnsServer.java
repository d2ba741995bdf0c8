package io.postwire.testsupport.dns;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny authoritative DNS server on UDP 127.0.0.1 for tests, written from RFC 1035 so that it
 * shares no code with the resolver under test. It serves what dnsmasq cannot: the null MX
 * ({@code 0 .}), SERVFAIL, silence (for timeouts), exact TTLs and SOA negative TTLs; and it
 * counts the queries it gets, so tests can prove what was and was not cached.
 *
 * <p>A name with records answers NOERROR with those of the asked type (none: NODATA with the
 * SOA); any other name answers NXDOMAIN with the SOA. Names are compared in lower case without
 * the trailing dot. Answers use no name compression. It can also lose the first query of a name
 * (a dropped datagram) and answer late (a distant resolver), to test resends and the cap on
 * queries in flight.
 */
public final class TestDnsServer implements AutoCloseable {

    static final int TYPE_A = 1;
    static final int TYPE_SOA = 6;
    static final int TYPE_TXT = 16;
    static final int TYPE_MX = 15;
    static final int TYPE_AAAA = 28;
    private static final int RCODE_SERVFAIL = 2;
    private static final int RCODE_NXDOMAIN = 3;

    private record Rr(String owner, int type, long ttl, byte[] data) {
    }

    private final DatagramSocket socket;
    private final List<Rr> records = new CopyOnWriteArrayList<>();
    private final Set<String> servfail = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final Set<String> dropFirst = ConcurrentHashMap.newKeySet();
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger maxPending = new AtomicInteger();
    private final ScheduledExecutorService delayer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "test-dns-delay");
        t.setDaemon(true);
        return t;
    });
    private volatile long replyDelayNanos;
    private volatile boolean silent;
    private volatile long soaTtl = 3600;
    private volatile long soaMinimum = 300;
    private volatile boolean sendSoa = true;
    private volatile GeneratedZone zone;
    private volatile long zoneTtl = 3600;

    private TestDnsServer(DatagramSocket socket) {
        this.socket = socket;
        Thread thread = new Thread(this::serve, "test-dns-" + socket.getLocalPort());
        thread.setDaemon(true);
        thread.start();
    }

    /** Binds a fresh UDP port on 127.0.0.1 and starts answering. */
    public static TestDnsServer start() {
        try {
            return new TestDnsServer(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    }

    /** {@code 127.0.0.1:port}, as {@code POSTWIRE_DNS_SERVERS} lists it. */
    public String hostPort() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    public TestDnsServer mx(String domain, int preference, String exchange, long ttl) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.write(preference >> 8);
        data.write(preference);
        data.writeBytes(encodeName(exchange));
        records.add(new Rr(key(domain), TYPE_MX, ttl, data.toByteArray()));
        return this;
    }

    /** The RFC 7505 null MX: preference 0, exchange the root. */
    public TestDnsServer nullMx(String domain, long ttl) {
        return mx(domain, 0, ".", ttl);
    }

    /** An A or AAAA record, by the literal's form. */
    public TestDnsServer address(String host, String literal, long ttl) {
        byte[] bytes = literalBytes(literal);
        records.add(new Rr(key(host), bytes.length == 4 ? TYPE_A : TYPE_AAAA, ttl, bytes));
        return this;
    }

    /** A TXT record: makes a name exist without MX or address records. */
    public TestDnsServer txt(String name, String text, long ttl) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.write(bytes.length);
        data.writeBytes(bytes);
        records.add(new Rr(key(name), TYPE_TXT, ttl, data.toByteArray()));
        return this;
    }

    /**
     * Answers names without a static record from {@code zone}, with {@code ttl}: MX records of
     * preference 10, 20, ... in the zone's order, and A or AAAA records by the literal's form.
     */
    public TestDnsServer zone(GeneratedZone zone, long ttl) {
        this.zoneTtl = ttl;
        this.zone = zone;
        return this;
    }

    /**
     * Asks the kernel for a larger UDP receive buffer (capped by {@code net.core.rmem_max}): a
     * dispatcher meeting 1,000 new domains at once sends thousands of queries in a burst, and the
     * default buffer drops some of them while this one thread is busy, which the resolver sees as
     * timeouts.
     */
    public TestDnsServer receiveBufferSize(int bytes) {
        try {
            socket.setReceiveBufferSize(bytes);
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Forgets every record of {@code name} (to change a TXT record between lookups). */
    public TestDnsServer remove(String name) {
        String owner = key(name);
        records.removeIf(rr -> rr.owner().equals(owner));
        return this;
    }

    /** Answers SERVFAIL to every question about {@code name}. */
    public TestDnsServer servfail(String name) {
        servfail.add(key(name));
        return this;
    }

    /** Drops every query (still counting it) while set: the resolver sees a timeout. */
    public TestDnsServer silent(boolean silent) {
        this.silent = silent;
        return this;
    }

    /**
     * Drops the first query of each type for {@code name} (still counting it), as a lost UDP
     * datagram: the resolver must send it again.
     */
    public TestDnsServer dropFirstQuery(String name) {
        dropFirst.add(key(name));
        return this;
    }

    /** Queries dropped by {@link #dropFirstQuery}. */
    public int dropped() {
        return dropped.get();
    }

    /**
     * Answers each query only after {@code delay}, as a distant recursive resolver does, so that
     * {@link #maxPending()} shows how many queries a client had in flight at once.
     */
    public TestDnsServer replyDelay(Duration delay) {
        this.replyDelayNanos = delay.toNanos();
        return this;
    }

    /** The most queries received and not yet answered at any moment (with a {@link #replyDelay}). */
    public int maxPending() {
        return maxPending.get();
    }

    /** The SOA sent with negative answers (RFC 2308 §3): its TTL and MINIMUM field. */
    public TestDnsServer soa(long ttl, long minimum) {
        this.soaTtl = ttl;
        this.soaMinimum = minimum;
        return this;
    }

    /** Negative answers without an SOA, as some resolvers send them. */
    public TestDnsServer withoutSoa() {
        this.sendSoa = false;
        return this;
    }

    /** Queries received for {@code name} of {@code type} ("MX", "A", "AAAA", "TXT"). */
    public int queries(String name, String type) {
        AtomicInteger count = counts.get(key(name) + "/" + type.toUpperCase(Locale.ROOT));
        return count == null ? 0 : count.get();
    }

    /** Queries received in all. */
    public int queries() {
        return total.get();
    }

    @Override
    public void close() {
        delayer.shutdownNow();
        socket.close();
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                byte[] reply = answer(ByteBuffer.wrap(packet.getData(), 0, packet.getLength()));
                if (reply == null) {
                    continue;
                }
                DatagramPacket out = new DatagramPacket(reply, reply.length, packet.getSocketAddress());
                long delay = replyDelayNanos;
                if (delay <= 0) {
                    socket.send(out);
                } else {
                    maxPending.accumulateAndGet(pending.incrementAndGet(), Math::max);
                    delayer.schedule(() -> send(out), delay, TimeUnit.NANOSECONDS);
                }
            } catch (IOException | RuntimeException e) {
                if (!socket.isClosed()) {
                    System.err.println("[test-dns] " + e);
                }
            }
        }
    }

    private void send(DatagramPacket out) {
        try {
            pending.decrementAndGet();
            socket.send(out);
        } catch (IOException e) {
            if (!socket.isClosed()) {
                System.err.println("[test-dns] " + e);
            }
        }
    }

    /** The reply to one query, or null to stay silent. */
    private byte[] answer(ByteBuffer query) {
        int id = query.getShort() & 0xFFFF;
        int flags = query.getShort() & 0xFFFF;
        query.position(12);
        int questionStart = query.position();
        String name = readName(query);
        int type = query.getShort() & 0xFFFF;
        query.getShort(); // class
        byte[] question = new byte[query.position() - questionStart];
        query.get(questionStart, question);
        total.incrementAndGet();
        int seen = counts.computeIfAbsent(name + "/" + typeName(type), k -> new AtomicInteger()).incrementAndGet();
        if (silent) {
            return null;
        }
        if (seen == 1 && dropFirst.contains(name)) {
            dropped.incrementAndGet();
            return null;
        }
        List<Rr> answers = new ArrayList<>();
        boolean known = false;
        for (Rr rr : records) {
            if (rr.owner().equals(name)) {
                known = true;
                if (rr.type() == type) {
                    answers.add(rr);
                }
            }
        }
        GeneratedZone generated = zone;
        if (!known && generated != null) {
            known = generate(generated, name, type, answers);
        }
        int rcode = servfail.contains(name) ? RCODE_SERVFAIL : known ? 0 : RCODE_NXDOMAIN;
        if (rcode == RCODE_SERVFAIL) {
            answers.clear();
        }
        List<Rr> authority = new ArrayList<>();
        if (rcode != RCODE_SERVFAIL && answers.isEmpty() && sendSoa) {
            authority.add(soaRecord(name));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeShort(out, id);
        // QR, opcode and RD copied, AA, RA, rcode.
        writeShort(out, 0x8000 | (flags & 0x7900) | 0x0400 | 0x0080 | rcode);
        writeShort(out, 1);
        writeShort(out, answers.size());
        writeShort(out, authority.size());
        writeShort(out, 0);
        out.writeBytes(question);
        for (Rr rr : answers) {
            writeRecord(out, rr);
        }
        for (Rr rr : authority) {
            writeRecord(out, rr);
        }
        return out.toByteArray();
    }

    /** Adds the zone's records of {@code type} for {@code name}; true if the name has any record. */
    private boolean generate(GeneratedZone generated, String name, int type, List<Rr> answers) {
        List<String> exchanges = generated.exchanges(name);
        String literal = generated.address(name);
        if (type == TYPE_MX) {
            for (int i = 0; i < exchanges.size(); i++) {
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                writeShort(data, 10 * (i + 1));
                data.writeBytes(encodeName(exchanges.get(i)));
                answers.add(new Rr(name, TYPE_MX, zoneTtl, data.toByteArray()));
            }
        } else if (literal != null && (type == TYPE_A || type == TYPE_AAAA)) {
            byte[] bytes = literalBytes(literal);
            if ((bytes.length == 4) == (type == TYPE_A)) {
                answers.add(new Rr(name, type, zoneTtl, bytes));
            }
        }
        return !exchanges.isEmpty() || literal != null;
    }

    /** An SOA for the last two labels of the name, with the configured TTL and MINIMUM. */
    private Rr soaRecord(String name) {
        String[] labels = name.split("\\.");
        String zone = labels.length <= 2 ? name : labels[labels.length - 2] + "." + labels[labels.length - 1];
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.writeBytes(encodeName("ns." + zone));
        data.writeBytes(encodeName("hostmaster." + zone));
        for (long value : new long[] {1, 3600, 600, 86400, soaMinimum}) {
            writeInt(data, value);
        }
        return new Rr(zone, TYPE_SOA, soaTtl, data.toByteArray());
    }

    private static void writeRecord(ByteArrayOutputStream out, Rr rr) {
        out.writeBytes(encodeName(rr.owner()));
        writeShort(out, rr.type());
        writeShort(out, 1); // IN
        writeInt(out, rr.ttl());
        writeShort(out, rr.data().length);
        out.writeBytes(rr.data());
    }

    static byte[] encodeName(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String plain = key(name);
        if (!plain.isEmpty()) {
            for (String label : plain.split("\\.")) {
                byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
                out.write(bytes.length);
                out.writeBytes(bytes);
            }
        }
        out.write(0);
        return out.toByteArray();
    }

    private static String readName(ByteBuffer in) {
        StringBuilder name = new StringBuilder();
        int length;
        while ((length = in.get() & 0xFF) != 0) {
            byte[] label = new byte[length];
            in.get(label);
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(new String(label, StandardCharsets.US_ASCII));
        }
        return key(name.toString());
    }

    private static String key(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static String typeName(int type) {
        switch (type) {
            case TYPE_A:
                return "A";
            case TYPE_MX:
                return "MX";
            case TYPE_AAAA:
                return "AAAA";
            case TYPE_TXT:
                return "TXT";
            default:
                return String.valueOf(type);
        }
    }

    private static byte[] literalBytes(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress(); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private static void writeShort(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value);
    }

    private static void writeInt(ByteArrayOutputStream out, long value) {
        writeShort(out, (int) (value >> 16) & 0xFFFF);
        writeShort(out, (int) value & 0xFFFF);
    }
}
