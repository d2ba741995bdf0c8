package io.postwire.mx;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.postwire.mx.DnsAnswer.AddressRecord;
import io.postwire.mx.DnsAnswer.MxRecord;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a Netty {@link DnsResponse} into a {@link DnsAnswer}: the MX, A or AAAA records for the
 * name asked, and the negative TTL. Netty leaves MX and SOA data undecoded; their domain names
 * may be compressed (RFC 1035 §4.1.4), with pointers relative to the start of the message.
 * Netty hands each record's data as a view of the whole message, so the pointers resolve
 * against the same buffer.
 */
final class DnsResponseReader {

    /** More CNAMEs in a row than any sane zone uses; stops loops. */
    private static final int MAX_ALIASES = 16;
    private static final int MAX_POINTER_JUMPS = 64;

    private DnsResponseReader() {
    }

    static DnsAnswer read(DnsResponse response, String name, DnsRecordType type) {
        DnsResponseCode code = response.code();
        if (code.equals(DnsResponseCode.NXDOMAIN)) {
            return new DnsAnswer(DnsAnswer.Status.NO_SUCH_NAME, List.of(), List.of(), negativeTtl(response), "");
        }
        if (!code.equals(DnsResponseCode.NOERROR)) {
            return DnsAnswer.failed(code.toString().toUpperCase(Locale.ROOT)); // "SERVFAIL(2)"
        }
        Set<String> owners = owners(response, normalize(name));
        List<MxRecord> mx = new ArrayList<>();
        List<AddressRecord> addresses = new ArrayList<>();
        List<String> txt = new ArrayList<>();
        for (int i = 0, n = response.count(DnsSection.ANSWER); i < n; i++) {
            DnsRecord record = response.recordAt(DnsSection.ANSWER, i);
            if (!(record instanceof DnsRawRecord) || !record.type().equals(type)
                    || !owners.contains(normalize(record.name()))) {
                continue;
            }
            ByteBuf data = ((DnsRawRecord) record).content();
            long ttl = ttl(record.timeToLive());
            if (type.equals(DnsRecordType.MX)) {
                if (data.readableBytes() < 3) {
                    throw new IllegalArgumentException("MX record too short");
                }
                int at = data.readerIndex();
                mx.add(new MxRecord(data.getUnsignedShort(at), readName(data, at + 2), ttl));
            } else if (type.equals(DnsRecordType.TXT)) {
                txt.add(readText(data));
            } else {
                addresses.add(new AddressRecord(address(data, type, name), ttl));
            }
        }
        long negativeTtl = mx.isEmpty() && addresses.isEmpty() && txt.isEmpty() ? negativeTtl(response) : -1;
        return new DnsAnswer(DnsAnswer.Status.ANSWERED, mx, addresses, negativeTtl, "", txt);
    }

    /**
     * The character-strings of one TXT record (RFC 1035 §3.3.14) joined without separator, as
     * RFC 7208 §3.3 and RFC 8461 §3.1 read a record split into several strings. Bytes outside
     * ASCII are kept as ISO-8859-1 characters, so a parser sees them and can reject them.
     */
    static String readText(ByteBuf data) {
        StringBuilder text = new StringBuilder();
        int at = data.readerIndex();
        int end = data.writerIndex();
        while (at < end) {
            int length = data.getUnsignedByte(at);
            if (at + 1 + length > end) {
                throw new IllegalArgumentException("TXT string runs past the record");
            }
            text.append(data.toString(at + 1, length, StandardCharsets.ISO_8859_1));
            at += 1 + length;
        }
        return text.toString();
    }

    /** The name asked and every alias it leads to through CNAMEs in the answer. */
    private static Set<String> owners(DnsResponse response, String name) {
        Set<String> owners = new HashSet<>();
        owners.add(name);
        for (int round = 0; round < MAX_ALIASES; round++) {
            boolean grew = false;
            for (int i = 0, n = response.count(DnsSection.ANSWER); i < n; i++) {
                DnsRecord record = response.recordAt(DnsSection.ANSWER, i);
                if (record instanceof DnsRawRecord && record.type().equals(DnsRecordType.CNAME)
                        && owners.contains(normalize(record.name()))) {
                    ByteBuf data = ((DnsRawRecord) record).content();
                    grew |= owners.add(readName(data, data.readerIndex()));
                }
            }
            if (!grew) {
                break;
            }
        }
        return owners;
    }

    /**
     * RFC 2308 §5: a negative answer lives for the smaller of the SOA record's own TTL and its
     * MINIMUM field. -1 when the authority section has no SOA.
     */
    static long negativeTtl(DnsResponse response) {
        for (int i = 0, n = response.count(DnsSection.AUTHORITY); i < n; i++) {
            DnsRecord record = response.recordAt(DnsSection.AUTHORITY, i);
            if (record instanceof DnsRawRecord && record.type().equals(DnsRecordType.SOA)) {
                ByteBuf data = ((DnsRawRecord) record).content();
                int at = skipName(data, skipName(data, data.readerIndex())); // MNAME, RNAME
                if (at + 20 > data.writerIndex()) {
                    throw new IllegalArgumentException("SOA record too short");
                }
                long minimum = data.getUnsignedInt(at + 16); // after SERIAL REFRESH RETRY EXPIRE
                return Math.min(ttl(record.timeToLive()), ttl(minimum));
            }
        }
        return -1;
    }

    /** RFC 2181 §8: a TTL with the top bit set is read as zero. */
    private static long ttl(long unsigned) {
        return unsigned > Integer.MAX_VALUE ? 0 : unsigned;
    }

    private static InetAddress address(ByteBuf data, DnsRecordType type, String host) {
        int length = type.equals(DnsRecordType.A) ? 4 : 16;
        if (data.readableBytes() != length) {
            throw new IllegalArgumentException(type.name() + " record of " + data.readableBytes() + " bytes");
        }
        byte[] bytes = new byte[length];
        data.getBytes(data.readerIndex(), bytes);
        try {
            // Carries the host name for logs; getByAddress never looks anything up.
            return InetAddress.getByAddress(normalize(host), bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("length checked above", e);
        }
    }

    /**
     * Reads a possibly compressed domain name starting at {@code index}: lower case, without
     * the trailing dot, "" for the root.
     */
    static String readName(ByteBuf buf, int index) {
        StringBuilder name = new StringBuilder();
        int at = index;
        int jumps = 0;
        while (true) {
            int length = byteAt(buf, at);
            if ((length & 0xC0) == 0xC0) {
                if (++jumps > MAX_POINTER_JUMPS) {
                    throw new IllegalArgumentException("DNS name compression loop");
                }
                at = ((length & 0x3F) << 8) | byteAt(buf, at + 1);
                continue;
            }
            if ((length & 0xC0) != 0) {
                throw new IllegalArgumentException("unsupported DNS label type " + length);
            }
            if (length == 0) {
                return name.toString().toLowerCase(Locale.ROOT);
            }
            if (at + 1 + length > buf.writerIndex()) {
                throw new IllegalArgumentException("DNS label runs past the message");
            }
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(buf.toString(at + 1, length, StandardCharsets.ISO_8859_1));
            at += 1 + length;
        }
    }

    /** The index just past the name at {@code index} (a pointer ends the name in place). */
    static int skipName(ByteBuf buf, int index) {
        int at = index;
        while (true) {
            int length = byteAt(buf, at);
            if ((length & 0xC0) == 0xC0) {
                return at + 2;
            }
            if (length == 0) {
                return at + 1;
            }
            at += 1 + length;
        }
    }

    private static int byteAt(ByteBuf buf, int index) {
        if (index < 0 || index >= buf.writerIndex()) {
            throw new IllegalArgumentException("DNS name runs past the message");
        }
        return buf.getUnsignedByte(index);
    }

    static String normalize(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
