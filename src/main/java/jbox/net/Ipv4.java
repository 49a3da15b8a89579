package jbox.net;

/** An IPv4 address as an int, and subnets in CIDR form ("172.18.0.0/16"). */
public record Ipv4(int bits) {
    public static Ipv4 parse(String s) {
        String[] p = s.trim().split("\\.");
        if (p.length != 4) throw new IllegalArgumentException("\"" + s + "\" is not an IPv4 address (like 172.18.0.2)");
        int v = 0;
        for (String part : p) {
            int n;
            try {
                n = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + s + "\" is not an IPv4 address (like 172.18.0.2)");
            }
            if (n < 0 || n > 255) throw new IllegalArgumentException("\"" + s + "\" is not an IPv4 address: " + n + " is over 255");
            v = (v << 8) | n;
        }
        return new Ipv4(v);
    }

    public byte[] bytes() { return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits}; }

    public Ipv4 plus(int n) { return new Ipv4(bits + n); }

    public boolean isLoopback() { return (bits >>> 24) == 127; }

    @Override
    public String toString() { return (bits >>> 24) + "." + ((bits >>> 16) & 255) + "." + ((bits >>> 8) & 255) + "." + (bits & 255); }

    /** A subnet: its first address and prefix length. */
    public record Subnet(Ipv4 base, int prefix) {
        public static Subnet parse(String cidr) {
            int slash = cidr.indexOf('/');
            if (slash < 0) throw new IllegalArgumentException("\"" + cidr + "\" is not a subnet in CIDR form (like 172.20.0.0/16)");
            int prefix;
            try {
                prefix = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + cidr + "\" is not a subnet in CIDR form (like 172.20.0.0/16)");
            }
            if (prefix < 8 || prefix > 30) throw new IllegalArgumentException("the subnet " + cidr + " must have a prefix from /8 to /30");
            return of(Ipv4.parse(cidr.substring(0, slash)), prefix);
        }

        /** The subnet an address with that prefix length belongs to (172.30.0.2, 16 gives 172.30.0.0/16). */
        public static Subnet of(Ipv4 address, int prefix) { return new Subnet(new Ipv4(address.bits & mask(prefix)), prefix); }

        static int mask(int prefix) { return prefix == 0 ? 0 : -1 << (32 - prefix); }

        public boolean contains(Ipv4 a) { return (a.bits & mask(prefix)) == base.bits; }

        public boolean overlaps(Subnet o) {
            int m = mask(Math.min(prefix, o.prefix));
            return (base.bits & m) == (o.base.bits & m);
        }

        /** Host addresses: base+1 .. broadcast-1. */
        public int size() { return (1 << (32 - prefix)) - 2; }

        public Ipv4 host(int n) { return base.plus(n); }

        public Ipv4 broadcast() { return new Ipv4(base.bits | ~mask(prefix)); }

        @Override
        public String toString() { return base + "/" + prefix; }
    }
}
