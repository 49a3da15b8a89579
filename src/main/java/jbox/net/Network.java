package jbox.net;

import java.util.Map;

/**
 * A network containers join: the default "bridge", "host" (the host's own stack), "none" (lo
 * only), or a user network made by `jbox network create`, each a Linux bridge with its own subnet.
 *
 * @param driver  bridge, host or null (docker's names)
 * @param bridge  the Linux bridge device (jbox0, jbox-XXXXXXXXXX), null for host and none
 * @param subnet  its IPv4 subnet in CIDR form; the gateway is the bridge's own address
 */
public record Network(String name, String id, String driver, String subnet, String gateway, String bridge, String created,
                      Map<String, String> labels, boolean internal) {
    public static final String DEFAULT = "bridge", HOST = "host", NONE = "none", DEFAULT_BRIDGE = "jbox0";

    public Network {
        labels = labels == null ? Map.of() : labels; // null in networks made before labels
    }

    public boolean hasBridge() { return "bridge".equals(driver); }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isDefault() { return DEFAULT.equals(name); }

    public Ipv4.Subnet range() { return Ipv4.Subnet.parse(subnet); }

    public Ipv4 gatewayAddress() { return Ipv4.parse(gateway); }

    public String shortId() { return id.substring(0, 12); }
}
