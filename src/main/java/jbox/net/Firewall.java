package jbox.net;

import jbox.sys.Failure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * jbox's NAT, in one nftables table ("ip jbox") written with the host's nft command. Outbound
 * masquerading and forwarding are fixed rules matching every jbox bridge by name (jbox*), so a
 * container start adds nothing; a published port is one element of a map, added and deleted by
 * key, so no rule handles are tracked. Removing the table removes every trace at once.
 */
public final class Firewall {
    public static final String TABLE = "jbox";
    private static final String RULES = String.join("\n",
            "table ip jbox {",
            "  map ports_any { type inet_proto . inet_service : ipv4_addr . inet_service; }",
            "  map ports_ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }",
            "  chain prerouting { type nat hook prerouting priority dstnat; policy accept; fib daddr type local jump ports; }",
            "  chain output { type nat hook output priority -100; policy accept; fib daddr type local jump ports; }",
            "  chain ports {",
            "    dnat ip to ip daddr . meta l4proto . th dport map @ports_ip",
            "    dnat ip to meta l4proto . th dport map @ports_any",
            "  }",
            "  chain postrouting { type nat hook postrouting priority srcnat; policy accept;",
            "    iifname \"jbox*\" oifname != \"jbox*\" counter masquerade comment \"outbound\"",
            "    ip saddr 127.0.0.0/8 oifname \"jbox*\" counter masquerade comment \"published on loopback\"",
            "  }",
            "  chain forward { type filter hook forward priority filter; policy accept;",
            "    iifname \"jbox*\" counter accept",
            "    oifname \"jbox*\" ct state established,related counter accept",
            "  }",
            "}", "");

    /** A published port with the container's address: one map element. */
    public record Rule(PortSpec port, Ipv4 container) {
        String element(boolean withValue) {
            String key = (port.hostIp().isEmpty() ? "" : port.hostIp() + " . ") + port.proto() + " . " + port.hostPort();
            return "{ " + key + (withValue ? " : " + container + " . " + port.containerPort() : "") + " }";
        }

        String map() { return port.hostIp().isEmpty() ? "ports_any" : "ports_ip"; }
    }

    private Firewall() {}

    /** The nft program, or null when the host has none. */
    static String nft() {
        for (String p : List.of("/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft")) if (Files.isExecutable(Path.of(p))) return p;
        return null;
    }

    public static boolean available() { return nft() != null; }

    /** Makes the table if it is missing (caller checked that nft is there). */
    static void ensure() {
        if (run(null, "list", "table", "ip", TABLE).code == 0) return;
        Result r = run(RULES, "-f", "-");
        if (r.code != 0) {
            throw new Failure("cannot write jbox's NAT rules: " + r.err.strip(), "the kernel lacks nftables NAT support, or another tool holds the rules",
                    "check that `nft list ruleset` works (modules nf_tables, nft_nat, nft_fib, nft_masq)");
        }
    }

    /** Removes the whole table (when the last jbox bridge goes). */
    static void drop() {
        if (available()) run(null, "delete", "table", "ip", TABLE);
    }

    /** Adds published ports; a port another container already has is refused, as docker does. */
    static void publish(List<Rule> rules) {
        if (rules.isEmpty()) return;
        if (!available()) {
            throw new Failure("cannot publish ports: this host has no nft command", "jbox publishes ports (-p) with nftables NAT rules",
                    "install nftables (apt-get install nftables), or run without -p");
        }
        ensure();
        StringBuilder script = new StringBuilder();
        for (Rule r : rules) script.append("add element ip jbox ").append(r.map()).append(' ').append(r.element(true)).append('\n');
        Result res = run(script.toString(), "-f", "-");
        if (res.code != 0) {
            String hint = res.err.contains("File exists") ? "port is already allocated" : res.err.strip();
            throw new Failure("driver failed programming external connectivity: Bind for " + rules.get(0).port().hostSide() + " failed: " + hint,
                    "another container publishes the same host port", "choose another host port, or stop that container").httpStatus(500);
        }
    }

    /** Removes published ports; ones already gone are fine. */
    static void unpublish(List<Rule> rules) {
        if (rules.isEmpty() || !available()) return;
        for (Rule r : rules) run(null, "delete", "element", "ip", TABLE, r.map(), r.element(false));
    }

    private static final java.util.regex.Pattern ELEMENT = java.util.regex.Pattern.compile(
            "((?:\\d+\\.){3}\\d+ \\. )?(tcp|udp) \\. (\\d+) : ((?:\\d+\\.){3}\\d+) \\. \\d+");

    /** Deletes published ports that point at an address no container holds any more (left by a killed jbox). */
    static void unpublishAllBut(List<String> claimedIps) {
        if (!available() || run(null, "list", "table", "ip", TABLE).code != 0) return;
        for (String map : List.of("ports_any", "ports_ip")) {
            java.util.regex.Matcher m = ELEMENT.matcher(run(null, "list", "map", "ip", TABLE, map).out);
            while (m.find()) {
                if (claimedIps.contains(m.group(4))) continue;
                String key = (m.group(1) == null ? "" : m.group(1)) + m.group(2) + " . " + m.group(3);
                run(null, "delete", "element", "ip", TABLE, map, "{ " + key + " }");
            }
        }
    }

    private record Result(int code, String out, String err) {}

    /** Runs nft with args, and stdin (a script for -f -) when not null. Its output is small: read out, then err. */
    private static Result run(String stdin, String... args) {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(nft());
        cmd.addAll(List.of(args));
        jbox.sys.Sys.traceLine("nft " + String.join(" ", args) + (stdin == null ? "" : " <<< " + stdin.strip().replace("\n", "; ")));
        try {
            Process p = new ProcessBuilder(cmd).start();
            if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(124, out, "nft did not answer in 30 s");
            }
            return new Result(p.exitValue(), out, err);
        } catch (IOException e) {
            return new Result(127, "", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(130, "", "interrupted");
        }
    }
}
