package jbox.net;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.*;

/** rtnetlink requests byte by byte: the header, the fixed part, attributes 4-byte aligned, nested lengths. */
class NetlinkMessageTest {
    @Test
    void aVethPairRequestIsLaidOutAsTheKernelReadsIt() {
        byte[] m = new NetlinkMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, "a type veth peer b")
                .ifinfo(0, 0, 0).string(Rtnl.IFLA_IFNAME, "a")
                .begin(Rtnl.IFLA_LINKINFO).string(Rtnl.IFLA_INFO_KIND, "veth")
                .begin(Rtnl.IFLA_INFO_DATA).begin(Rtnl.VETH_INFO_PEER).ifinfo(0, 0, 0).string(Rtnl.IFLA_IFNAME, "b").end().end().end()
                .finish(7);
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        // nlmsghdr: length, type, flags (with NLM_F_REQUEST), sequence, port
        assertEquals(88, m.length);
        assertEquals(88, b.getInt(0));
        assertEquals(Rtnl.RTM_NEWLINK, b.getShort(4));
        assertEquals(Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, b.getShort(6));
        assertEquals(7, b.getInt(8));
        // ifinfomsg (16 bytes of zeros), then IFLA_IFNAME "a\0" padded to 8
        for (int i = 16; i < 32; i++) assertEquals(0, m[i]);
        assertEquals(6, b.getShort(32));
        assertEquals(Rtnl.IFLA_IFNAME, b.getShort(34));
        assertEquals('a', m[36]);
        assertEquals(0, m[37]);
        // IFLA_LINKINFO holds INFO_KIND "veth\0" (9, padded to 12) and INFO_DATA holding the peer
        assertEquals(48, b.getShort(40));
        assertEquals(Rtnl.IFLA_LINKINFO, b.getShort(42));
        assertEquals(9, b.getShort(44));
        assertEquals("veth", new String(m, 48, 4));
        assertEquals(32, b.getShort(56), "INFO_DATA: its header and the peer");
        assertEquals(Rtnl.IFLA_INFO_DATA, b.getShort(58));
        assertEquals(28, b.getShort(60), "VETH_INFO_PEER: header, ifinfomsg, the peer's name");
        assertEquals(Rtnl.VETH_INFO_PEER, b.getShort(62));
        assertEquals(6, b.getShort(80));
        assertEquals('b', m[84]);
    }

    @Test
    void aU32AttributeIsEightBytes() {
        byte[] m = new NetlinkMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_ACK, "netns").ifinfo(5, 0, 0).u32(Rtnl.IFLA_NET_NS_FD, 42).finish(1);
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        assertEquals(16 + 16 + 8, m.length);
        assertEquals(5, b.getInt(20), "the device index in ifinfomsg");
        assertEquals(8, b.getShort(32));
        assertEquals(Rtnl.IFLA_NET_NS_FD, b.getShort(34));
        assertEquals(42, b.getInt(36));
    }
}
