package jbox.net;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Builds one rtnetlink request: the 16-byte nlmsghdr, a fixed header (ifinfomsg, ifaddrmsg or
 * rtmsg), then attributes (type-length-value, 4-byte aligned), which may nest.
 */
final class NetlinkMessage {
    private final ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
    private final Deque<Integer> open = new ArrayDeque<>();
    final int type;
    final String what;

    NetlinkMessage(int type, int flags, String what) {
        this.type = type;
        this.what = what;
        b.putInt(0).putShort((short) type).putShort((short) (flags | Rtnl.NLM_F_REQUEST)).putInt(0).putInt(0);
    }

    /** struct ifinfomsg: family, type, index, flags, change. */
    NetlinkMessage ifinfo(int index, int flags, int change) {
        b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(index).putInt(flags).putInt(change);
        return this;
    }

    /** struct ifaddrmsg for IPv4. */
    NetlinkMessage ifaddr(int prefix, int index) {
        b.put((byte) Rtnl.AF_INET).put((byte) prefix).put((byte) 0).put((byte) 0).putInt(index);
        return this;
    }

    /** struct rtmsg for an IPv4 unicast route in the main table. */
    NetlinkMessage rtmsg(int dstLen, int scope) {
        b.put((byte) Rtnl.AF_INET).put((byte) dstLen).put((byte) 0).put((byte) 0)
                .put((byte) Rtnl.RT_TABLE_MAIN).put((byte) Rtnl.RTPROT_BOOT).put((byte) scope).put((byte) Rtnl.RTN_UNICAST).putInt(0);
        return this;
    }

    NetlinkMessage bytes(int type, byte[] value) {
        b.putShort((short) (4 + value.length)).putShort((short) type).put(value);
        align();
        return this;
    }

    NetlinkMessage string(int type, String value) {
        byte[] s = value.getBytes(StandardCharsets.US_ASCII);
        byte[] z = new byte[s.length + 1];
        System.arraycopy(s, 0, z, 0, s.length);
        return bytes(type, z);
    }

    NetlinkMessage u32(int type, int value) {
        return bytes(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
    }

    NetlinkMessage begin(int type) {
        open.push(b.position());
        b.putShort((short) 0).putShort((short) type);
        return this;
    }

    NetlinkMessage end() {
        int start = open.pop();
        b.putShort(start, (short) (b.position() - start));
        return this;
    }

    private void align() {
        while (b.position() % 4 != 0) b.put((byte) 0);
    }

    byte[] finish(int seq) {
        b.putInt(0, b.position());
        b.putInt(8, seq);
        byte[] out = new byte[b.position()];
        b.get(0, out);
        return out;
    }
}
