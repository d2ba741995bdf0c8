package io.postwire.mx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.postwire.mx.DnsAnswer.MxRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decoding MX and SOA data, with RFC 1035 §4.1.4 compression pointers into the message. */
class DnsResponseReaderTest {

    @Test
    void followsCompressionPointersIntoTheWholeMessage() {
        ByteBuf message = Unpooled.buffer();
        message.writeZero(12); // header
        int domainAt = message.writerIndex();
        writeName(message, "pw", "test");
        int rdataAt = message.writerIndex();
        message.writeShort(10);
        message.writeByte(3).writeBytes("MX1".getBytes()).writeShort(0xC000 | domainAt);
        ByteBuf rdata = message.duplicate().setIndex(rdataAt, message.writerIndex());

        DnsResponse response = new DefaultDnsResponse(1).addRecord(DnsSection.ANSWER,
                new DefaultDnsRawRecord("pw.test.", DnsRecordType.MX, 300, rdata));

        DnsAnswer answer = DnsResponseReader.read(response, "pw.test", DnsRecordType.MX);
        assertEquals(List.of(new MxRecord(10, "mx1.pw.test", 300)), answer.mx());
    }

    @Test
    void theRootExchangeReadsAsEmpty() {
        ByteBuf rdata = Unpooled.buffer().writeShort(0).writeByte(0);
        DnsResponse response = new DefaultDnsResponse(1).addRecord(DnsSection.ANSWER,
                new DefaultDnsRawRecord("nomail.test.", DnsRecordType.MX, 60, rdata));

        assertEquals(List.of(new MxRecord(0, "", 60)),
                DnsResponseReader.read(response, "nomail.test", DnsRecordType.MX).mx());
    }

    @Test
    void mxRecordsBehindACnameCountOthersDoNot() {
        ByteBuf target = Unpooled.buffer();
        writeName(target, "real", "test");
        DnsResponse response = new DefaultDnsResponse(1)
                .addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord("alias.test.", DnsRecordType.CNAME, 300, target))
                .addRecord(DnsSection.ANSWER, mx("real.test.", 10, "mx", "real", "test"))
                .addRecord(DnsSection.ANSWER, mx("unrelated.test.", 5, "mx", "unrelated", "test"));

        assertEquals(List.of(new MxRecord(10, "mx.real.test", 300)),
                DnsResponseReader.read(response, "alias.test", DnsRecordType.MX).mx());
    }

    @Test
    void negativeTtlIsTheSmallerOfSoaTtlAndMinimum() {
        assertEquals(120, negativeTtl(3600, 120));
        assertEquals(30, negativeTtl(30, 900));
    }

    @Test
    void aPointerLoopIsRejected() {
        ByteBuf loop = Unpooled.buffer().writeShort(0xC000);
        assertThrows(IllegalArgumentException.class, () -> DnsResponseReader.readName(loop, 0));
    }

    @Test
    void aNameRunningPastTheDataIsRejected() {
        ByteBuf cut = Unpooled.buffer().writeByte(5).writeBytes("ab".getBytes());
        assertThrows(IllegalArgumentException.class, () -> DnsResponseReader.readName(cut, 0));
    }

    @Test
    void serverFailureIsAFailedAnswer() {
        DnsResponse response = new DefaultDnsResponse(1).setCode(DnsResponseCode.SERVFAIL);
        DnsAnswer answer = DnsResponseReader.read(response, "x.test", DnsRecordType.MX);
        assertEquals(DnsAnswer.Status.FAILED, answer.status());
    }

    private static long negativeTtl(long soaTtl, long minimum) {
        ByteBuf soa = Unpooled.buffer();
        writeName(soa, "ns", "test");
        writeName(soa, "hostmaster", "test");
        soa.writeInt(1).writeInt(3600).writeInt(600).writeInt(86400).writeInt((int) minimum);
        DnsResponse response = new DefaultDnsResponse(1).setCode(DnsResponseCode.NXDOMAIN)
                .addRecord(DnsSection.AUTHORITY, new DefaultDnsRawRecord("test.", DnsRecordType.SOA, soaTtl, soa));
        DnsAnswer answer = DnsResponseReader.read(response, "gone.test", DnsRecordType.MX);
        assertEquals(DnsAnswer.Status.NO_SUCH_NAME, answer.status());
        return answer.negativeTtlSeconds();
    }

    private static DefaultDnsRawRecord mx(String owner, int preference, String... exchange) {
        ByteBuf rdata = Unpooled.buffer().writeShort(preference);
        writeName(rdata, exchange);
        return new DefaultDnsRawRecord(owner, DnsRecordType.MX, 300, rdata);
    }

    private static void writeName(ByteBuf buf, String... labels) {
        for (String label : labels) {
            buf.writeByte(label.length()).writeBytes(label.getBytes());
        }
        buf.writeByte(0);
    }
}
