package jbox.net;

import java.util.ArrayList;
import java.util.List;

/** Network devices, addresses and routes, each one rtnetlink request (what `ip link/addr/route` send). */
public final class Links {
    private Links() {}

    /** A device as the kernel lists it. */
    public record Link(int index, String name, String kind, int master, boolean up) {}

    /** An IPv4 address on a device. */
    public record Address(int index, Ipv4 address, int prefix) {
        public Ipv4.Subnet subnet() { return Ipv4.Subnet.of(address, prefix); }
    }

    /** ip link add NAME type bridge. */
    public static void addBridge(Netlink nl, String name) {
        nl.request(new NetlinkMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, name + " type bridge")
                .ifinfo(0, 0, 0).string(Rtnl.IFLA_IFNAME, name)
                .begin(Rtnl.IFLA_LINKINFO).string(Rtnl.IFLA_INFO_KIND, "bridge").end());
    }

    /**
     * ip link add HOST master BRIDGE type veth peer name PEER address MAC netns FD: the pair is made
     * with one end already inside the container's namespace, under its final name. The host end
     * comes up with it; the peer cannot (it has no peer yet while it is configured: ENOTCONN).
     */
    public static void addVethInto(Netlink nl, String hostName, int master, String peerName, byte[] peerMac, int netnsFd) {
        nl.request(new NetlinkMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL,
                hostName + " master " + master + " up type veth peer " + peerName + " netns fd " + netnsFd)
                .ifinfo(0, Rtnl.IFF_UP, Rtnl.IFF_UP).string(Rtnl.IFLA_IFNAME, hostName).u32(Rtnl.IFLA_MASTER, master)
                .begin(Rtnl.IFLA_LINKINFO).string(Rtnl.IFLA_INFO_KIND, "veth")
                .begin(Rtnl.IFLA_INFO_DATA).begin(Rtnl.VETH_INFO_PEER).ifinfo(0, 0, 0)
                .string(Rtnl.IFLA_IFNAME, peerName).bytes(Rtnl.IFLA_ADDRESS, peerMac).u32(Rtnl.IFLA_NET_NS_FD, netnsFd)
                .end().end().end());
    }

    /**
     * ip link set NAME alias TEXT: what the device is for, shown by `ip link`. jbox names the
     * owner there ("jbox container ID of ROOT"), so whose a device is can be read off the host.
     */
    public static void setAlias(Netlink nl, int index, String name, String alias) {
        nl.request(new NetlinkMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_ACK, name + " alias " + alias).ifinfo(index, 0, 0).string(Rtnl.IFLA_IFALIAS, alias));
    }

    /** ip link add A type veth peer name B: both ends in the socket's namespace (the lesson's first step). */
    public static void addVethPair(Netlink nl, String a, String b) {
        nl.request(new NetlinkMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL, a + " type veth peer " + b)
                .ifinfo(0, 0, 0).string(Rtnl.IFLA_IFNAME, a)
                .begin(Rtnl.IFLA_LINKINFO).string(Rtnl.IFLA_INFO_KIND, "veth")
                .begin(Rtnl.IFLA_INFO_DATA).begin(Rtnl.VETH_INFO_PEER).ifinfo(0, 0, 0).string(Rtnl.IFLA_IFNAME, b).end().end().end());
    }

    /** ip link set NAME netns FD name NEW: moves a device into another network namespace, renamed on the way. */
    public static void moveInto(Netlink nl, int index, String name, int netnsFd, String newName) {
        nl.request(new NetlinkMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_ACK, name + " netns fd " + netnsFd + " name " + newName)
                .ifinfo(index, 0, 0).u32(Rtnl.IFLA_NET_NS_FD, netnsFd).string(Rtnl.IFLA_IFNAME, newName));
    }

    /** ip link set NAME up. */
    public static void up(Netlink nl, int index, String name) {
        nl.request(new NetlinkMessage(Rtnl.RTM_NEWLINK, Rtnl.NLM_F_ACK, name + " up").ifinfo(index, Rtnl.IFF_UP, Rtnl.IFF_UP));
    }

    /** ip link del NAME. */
    public static void delete(Netlink nl, int index, String name) {
        nl.request(new NetlinkMessage(Rtnl.RTM_DELLINK, Rtnl.NLM_F_ACK, name).ifinfo(index, 0, 0));
    }

    /** ip addr add ADDRESS/PREFIX brd + dev NAME. */
    public static void addAddress(Netlink nl, int index, String name, Ipv4 address, Ipv4.Subnet subnet) {
        nl.request(new NetlinkMessage(Rtnl.RTM_NEWADDR, Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL,
                address + "/" + subnet.prefix() + " dev " + name)
                .ifaddr(subnet.prefix(), index).bytes(Rtnl.IFA_LOCAL, address.bytes()).bytes(Rtnl.IFA_ADDRESS, address.bytes())
                .bytes(Rtnl.IFA_BROADCAST, subnet.broadcast().bytes()));
    }

    /** ip route add default via GATEWAY dev NAME. */
    public static void addDefaultRoute(Netlink nl, int index, String name, Ipv4 gateway) {
        nl.request(new NetlinkMessage(Rtnl.RTM_NEWROUTE, Rtnl.NLM_F_ACK | Rtnl.NLM_F_CREATE | Rtnl.NLM_F_EXCL,
                "default via " + gateway + " dev " + name)
                .rtmsg(0, Rtnl.RT_SCOPE_UNIVERSE).bytes(Rtnl.RTA_GATEWAY, gateway.bytes()).u32(Rtnl.RTA_OIF, index));
    }

    /** ip link show: every device in the socket's namespace. */
    public static List<Link> list(Netlink nl) {
        List<Link> out = new ArrayList<>();
        nl.dump(new NetlinkMessage(Rtnl.RTM_GETLINK, Rtnl.NLM_F_DUMP, "dump").ifinfo(0, 0, 0), m -> {
            if (m.getShort(4) == Rtnl.RTM_NEWLINK) out.add(parse(m));
        });
        return out;
    }

    /** ip link show NAME: one device, asked for by name (no dump of all of them); null if there is none. */
    public static Link find(Netlink nl, String name) {
        java.nio.ByteBuffer m = nl.get(new NetlinkMessage(Rtnl.RTM_GETLINK, 0, name).ifinfo(0, 0, 0).string(Rtnl.IFLA_IFNAME, name));
        return m == null ? null : parse(m);
    }

    private static Link parse(java.nio.ByteBuffer m) {
        int index = m.getInt(20);
        boolean up = (m.getInt(24) & Rtnl.IFF_UP) != 0;
        String[] name = {null}, kind = {null};
        int[] master = {0};
        Netlink.attributes(m, 32, (type, v) -> {
            switch (type) {
                case Rtnl.IFLA_IFNAME -> name[0] = Netlink.string(v);
                case Rtnl.IFLA_MASTER -> master[0] = v.getInt(0);
                case Rtnl.IFLA_LINKINFO -> Netlink.attributes(v, 0, (t, iv) -> {
                    if (t == Rtnl.IFLA_INFO_KIND) kind[0] = Netlink.string(iv);
                });
                default -> { }
            }
        });
        return new Link(index, name[0], kind[0], master[0], up);
    }

    /** ip -4 addr show: every IPv4 address in the socket's namespace. */
    public static List<Address> addresses(Netlink nl) {
        List<Address> out = new ArrayList<>();
        NetlinkMessage req = new NetlinkMessage(Rtnl.RTM_GETADDR, Rtnl.NLM_F_DUMP, "dump").ifaddr(0, 0);
        nl.dump(req, m -> {
            if (m.getShort(4) != Rtnl.RTM_NEWADDR || m.get(16) != Rtnl.AF_INET) return;
            int prefix = Byte.toUnsignedInt(m.get(17));
            int index = m.getInt(20);
            Ipv4[] a = {null};
            Netlink.attributes(m, 24, (type, v) -> {
                if ((type == Rtnl.IFA_LOCAL || (type == Rtnl.IFA_ADDRESS && a[0] == null)) && v.remaining() == 4) a[0] = new Ipv4(v.order(java.nio.ByteOrder.BIG_ENDIAN).getInt(0));
            });
            if (a[0] != null) out.add(new Address(index, a[0], prefix));
        });
        return out;
    }

}
