package jbox.linux;

/**
 * A device node made in a container's /dev: its path there, type ("c" character, "b" block, "p"
 * fifo), numbers, mode and owner. From config.json's linux.devices, or from a host device passed
 * in with --device (or every host device with --privileged).
 */
public record DeviceNode(String path, String type, long major, long minor, int fileMode, int uid, int gid) {
    /** The v1 devices cgroup rule that lets the container use it: "c 8:0 rwm". */
    public String cgroupRule(String permissions) { return type + " " + major + ":" + minor + " " + permissions; }
}
