package jbox.net;

import jbox.sys.Linux;
import jbox.sys.Sys;
import jbox.sys.SyscallException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * An rtnetlink socket: the way `ip` talks to the kernel, here from Java. A socket belongs to the
 * network namespace of the thread that made it, for its whole life; {@link #openIn} makes one
 * inside a container's namespace from a short-lived thread, so no JVM thread stays there.
 */
public final class Netlink implements AutoCloseable {
    private final int fd;
    private final String where;
    private int seq;

    private Netlink(int fd, String where) {
        this.fd = fd;
        this.where = where;
    }

    /** A socket in the calling thread's network namespace. */
    public static Netlink open() {
        return new Netlink(Sys.socket(Rtnl.AF_NETLINK, Rtnl.SOCK_RAW | Linux.SOCK_CLOEXEC, Rtnl.NETLINK_ROUTE, "AF_NETLINK, NETLINK_ROUTE"), "host");
    }

    /** A socket in the network namespace at nsPath (such as /proc/PID/ns/net). */
    public static Netlink openIn(String nsPath) {
        int nsFd = Sys.open(nsPath, Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
        try {
            int[] sock = {-1};
            RuntimeException[] failure = new RuntimeException[1];
            Thread t = new Thread(() -> {
                try {
                    Sys.setns(nsFd, Linux.CLONE_NEWNET, nsPath);
                    sock[0] = Sys.socket(Rtnl.AF_NETLINK, Rtnl.SOCK_RAW | Linux.SOCK_CLOEXEC, Rtnl.NETLINK_ROUTE, "AF_NETLINK, NETLINK_ROUTE");
                } catch (RuntimeException e) {
                    failure[0] = e;
                }
            }, "jbox-netns");
            t.start();
            t.join();
            if (failure[0] != null) throw failure[0];
            return new Netlink(sock[0], nsPath);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while entering " + nsPath, e);
        } finally {
            Sys.close(nsFd);
        }
    }

    /** Sends one request and waits for the kernel's acknowledgement; a refusal throws with its errno. */
    void request(NetlinkMessage m) {
        int s = ++seq;
        send(m.finish(s));
        int err = -1;
        try {
            for (ByteBuffer reply : receive(s)) {
                if (reply.getShort(4) == Rtnl.NLMSG_ERROR) {
                    err = -reply.getInt(16);
                    break;
                }
            }
        } finally {
            Sys.traceLine("netlink " + Rtnl.typeName(m.type) + "(" + m.what + ") = " + (err == 0 ? "ok" : err < 0 ? "?" : SyscallException.errnoName(err)));
        }
        if (err != 0) throw new SyscallException("netlink " + Rtnl.typeName(m.type), m.what + (where.equals("host") ? "" : ", in " + where), err);
    }

    /** Sends a request that the kernel answers with one message; null when it answers ENODEV (no such device). */
    ByteBuffer get(NetlinkMessage m) {
        int s = ++seq;
        send(m.finish(s));
        for (ByteBuffer reply : receive(s)) {
            if (reply.getShort(4) == Rtnl.NLMSG_ERROR) {
                int err = -reply.getInt(16);
                if (err == 19 /* ENODEV */) return null;
                throw new SyscallException("netlink " + Rtnl.typeName(m.type), m.what, err);
            }
            return reply;
        }
        throw new IllegalStateException("the kernel did not answer netlink " + Rtnl.typeName(m.type) + "(" + m.what + ")");
    }

    /** Sends a dump request and hands each reply message (positioned at its start) to each. */
    void dump(NetlinkMessage m, Consumer<ByteBuffer> each) {
        int s = ++seq;
        send(m.finish(s));
        while (true) {
            for (ByteBuffer reply : receive(s)) {
                short type = reply.getShort(4);
                if (type == Rtnl.NLMSG_DONE) return;
                if (type == Rtnl.NLMSG_ERROR) {
                    int err = -reply.getInt(16);
                    if (err != 0) throw new SyscallException("netlink " + Rtnl.typeName(m.type), m.what, err);
                    return;
                }
                each.accept(reply);
            }
        }
    }

    private void send(byte[] msg) {
        Sys.send(fd, msg, "netlink, " + where);
    }

    /** One read: every message in it that answers seq. */
    private List<ByteBuffer> receive(int s) {
        byte[] buf = new byte[65536];
        int n = Sys.recv(fd, buf, "netlink, " + where);
        List<ByteBuffer> out = new ArrayList<>();
        ByteBuffer all = ByteBuffer.wrap(buf, 0, (int) n).order(ByteOrder.nativeOrder());
        int off = 0;
        while (off + 16 <= n) {
            int len = all.getInt(off);
            if (len < 16 || off + len > n) break;
            if (all.getInt(off + 8) == s) out.add(ByteBuffer.wrap(buf, off, len).slice().order(ByteOrder.nativeOrder()));
            off += (len + 3) & ~3;
        }
        return out;
    }

    /** Walks the attributes of a message from offset, calling each with (type, value). */
    static void attributes(ByteBuffer msg, int offset, AttributeVisitor each) {
        int off = offset;
        while (off + 4 <= msg.limit()) {
            int len = Short.toUnsignedInt(msg.getShort(off));
            int type = msg.getShort(off + 2) & 0x3fff;
            if (len < 4 || off + len > msg.limit()) break;
            each.visit(type, msg.slice(off + 4, len - 4).order(ByteOrder.nativeOrder()));
            off += (len + 3) & ~3;
        }
    }

    interface AttributeVisitor {
        void visit(int type, ByteBuffer value);
    }

    static String string(ByteBuffer v) {
        byte[] b = new byte[v.remaining()];
        v.get(0, b);
        int end = 0;
        while (end < b.length && b[end] != 0) end++;
        return new String(b, 0, end, StandardCharsets.US_ASCII);
    }

    @Override
    public void close() { Sys.close(fd); }
}
