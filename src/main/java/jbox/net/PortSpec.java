package jbox.net;

import java.util.ArrayList;
import java.util.List;

/**
 * One published port (-p): traffic to hostIp:hostPort on the host goes to the container's
 * containerPort. hostIp "" means every address of the host; hostPort 0 means "pick a free one".
 */
public record PortSpec(String hostIp, int hostPort, int containerPort, String proto) {

    /** -p [IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp], and ranges like 8000-8001:80-81. */
    public static List<PortSpec> parse(String spec) {
        String proto = "tcp";
        String s = spec;
        int slash = s.lastIndexOf('/');
        if (slash >= 0) {
            proto = s.substring(slash + 1).toLowerCase();
            s = s.substring(0, slash);
            if (!proto.equals("tcp") && !proto.equals("udp")) throw bad(spec, "\"" + proto + "\" is not a protocol jbox publishes");
        }
        String[] p = s.split(":", -1);
        String ip = "", host = "", container;
        switch (p.length) {
            case 1 -> container = p[0];
            case 2 -> { host = p[0]; container = p[1]; }
            case 3 -> { ip = p[0]; host = p[1]; container = p[2]; }
            default -> throw bad(spec, "it has too many colons");
        }
        if (!ip.isEmpty()) {
            try {
                Ipv4.parse(ip);
            } catch (IllegalArgumentException e) {
                throw bad(spec, e.getMessage());
            }
        }
        if (ip.equals("0.0.0.0")) ip = "";
        int[] cr = range(container, spec);
        int[] hr = host.isEmpty() ? new int[] {0, 0} : range(host, spec);
        int n = cr[1] - cr[0];
        if (!host.isEmpty() && hr[1] - hr[0] != n) throw bad(spec, "the host and container port ranges differ in length");
        List<PortSpec> out = new ArrayList<>();
        for (int i = 0; i <= n; i++) out.add(new PortSpec(ip, host.isEmpty() ? 0 : hr[0] + i, cr[0] + i, proto));
        return out;
    }

    private static int[] range(String s, String spec) {
        String[] r = s.split("-", -1);
        if (r.length > 2) throw bad(spec, "\"" + s + "\" is not a port or a range");
        int a = port(r[0], spec), b = r.length == 2 ? port(r[1], spec) : a;
        if (b < a) throw bad(spec, "the range " + s + " runs backwards");
        return new int[] {a, b};
    }

    private static int port(String s, String spec) {
        try {
            int v = Integer.parseInt(s);
            if (v >= 1 && v <= 65535) return v;
        } catch (NumberFormatException e) {
            // below
        }
        throw bad(spec, "\"" + s + "\" is not a port number (1-65535)");
    }

    private static IllegalArgumentException bad(String spec, String why) {
        return new IllegalArgumentException("invalid -p " + spec + ": " + why + " (write -p [IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp], e.g. -p 8080:80)");
    }

    /** As docker port prints the host side: 0.0.0.0:8080. */
    public String hostSide() { return (hostIp.isEmpty() ? "0.0.0.0" : hostIp) + ":" + hostPort; }

    /** As docker ps prints it: 0.0.0.0:8080->80/tcp. */
    @Override
    public String toString() { return hostSide() + "->" + containerPort + "/" + proto; }
}
