package jbox.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Block IO: a relative weight (priority) and bytes-per-second caps per device, and bytes moved.
 * v1 (blkio): blkio.bfq.weight, blkio.throttle.read_bps_device / write_bps_device ("8:0 1048576"),
 * blkio.throttle.io_service_bytes_recursive. v2 (io): io.bfq.weight or io.weight, io.max
 * ("8:0 rbps=1048576 wbps=max"), io.stat ("8:0 rbytes=... wbytes=...").
 */
final class BlockIo {
    private BlockIo() {}

    static void apply(ContainerCgroup g, Resources r) {
        boolean weight = r.blkioWeight() != null;
        boolean caps = !r.deviceReadBps().isEmpty() || !r.deviceWriteBps().isEmpty();
        if (!weight && !caps) return;
        String controller = g.dir("io") != null ? "io" : "blkio";
        Path dir = g.require(controller, weight ? "--blkio-weight" : "--device-read-bps/--device-write-bps");
        boolean v2 = g.isUnified(controller);
        if (weight) {
            Path bfq = dir.resolve(v2 ? "io.bfq.weight" : "blkio.bfq.weight");
            Path plain = dir.resolve(v2 ? "io.weight" : "blkio.weight");
            if (Files.exists(bfq)) {
                CgroupFiles.write(bfq, Integer.toString(r.blkioWeight()));
            } else if (Files.exists(plain)) {
                CgroupFiles.write(plain, v2 ? "default " + (1 + (r.blkioWeight() - 10) * 9999 / 990) : Integer.toString(r.blkioWeight()));
            } else {
                throw new CgroupException("--blkio-weight needs an IO scheduler that shares disk time by weight (BFQ), and this host's disks use "
                        + "another one, so " + bfq.getFileName() + " does not exist. Switch a disk to it with "
                        + "echo bfq > /sys/block/DISK/queue/scheduler, or drop the flag (the --device-read-bps caps still work)", null);
            }
        }
        for (Resources.DeviceRate d : r.deviceReadBps()) {
            if (v2) CgroupFiles.write(dir.resolve("io.max"), d.majorMinor() + " rbps=" + d.bytesPerSecond());
            else CgroupFiles.write(dir.resolve("blkio.throttle.read_bps_device"), d.majorMinor() + " " + d.bytesPerSecond());
        }
        for (Resources.DeviceRate d : r.deviceWriteBps()) {
            if (v2) CgroupFiles.write(dir.resolve("io.max"), d.majorMinor() + " wbps=" + d.bytesPerSecond());
            else CgroupFiles.write(dir.resolve("blkio.throttle.write_bps_device"), d.majorMinor() + " " + d.bytesPerSecond());
        }
    }

    /** Disks whose IO scheduler honours weights (BFQ); a weight on any other disk changes nothing. */
    static java.util.List<String> disksWithWeights() {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (var disks = Files.list(Path.of("/sys/block"))) {
            for (Path d : disks.toList()) {
                Path sched = d.resolve("queue/scheduler");
                if (Files.exists(sched) && CgroupFiles.read(sched).contains("[bfq]")) out.add(d.getFileName().toString());
            }
        } catch (java.io.IOException e) {
            // no sysfs: no disks known
        }
        return out;
    }

    /** Bytes read and written, summed over devices: {read, write}. */
    static long[] read(ContainerCgroup g) {
        long[] rw = new long[2];
        Path io = g.dir("io");
        if (io != null && g.isUnified("io") && Files.exists(io.resolve("io.stat"))) {
            for (String line : CgroupFiles.read(io.resolve("io.stat")).split("\n")) {
                for (String kv : line.trim().split("\\s+")) {
                    if (kv.startsWith("rbytes=")) rw[0] += Long.parseLong(kv.substring(7));
                    if (kv.startsWith("wbytes=")) rw[1] += Long.parseLong(kv.substring(7));
                }
            }
            return rw;
        }
        Path blkio = g.dir("blkio");
        if (blkio == null) return rw;
        Path f = blkio.resolve("blkio.throttle.io_service_bytes_recursive");
        if (!Files.exists(f)) f = blkio.resolve("blkio.throttle.io_service_bytes");
        if (!Files.exists(f)) return rw;
        for (String line : CgroupFiles.read(f).split("\n")) {
            String[] p = line.trim().split("\\s+");
            if (p.length == 3 && p[1].equals("Read")) rw[0] += Long.parseLong(p[2]);
            if (p.length == 3 && p[1].equals("Write")) rw[1] += Long.parseLong(p[2]);
        }
        return rw;
    }
}
