package jbox.linux;

import java.util.List;

/**
 * What a container mounts besides its image: bind mounts of host paths, named or anonymous volumes,
 * tmpfs, and whether its root filesystem is read-only (docker's -v, --mount, --tmpfs, --read-only).
 * skipImageVolumes: a build's RUN container, where the image's VOLUME paths stay part of the root
 * filesystem, so what RUN writes there goes into the layer (as BuildKit builds).
 */
public record Storage(List<Mount> mounts, boolean readOnlyRootfs, boolean skipImageVolumes) {
    public static final Storage NONE = new Storage(List.of(), false);
    public static final Storage BUILD_STEP = new Storage(List.of(), false, true);

    public Storage(List<Mount> mounts, boolean readOnlyRootfs) { this(mounts, readOnlyRootfs, false); }

    public enum Type { BIND, VOLUME, TMPFS }

    /**
     * One mount. source: the host path (bind) or the volume's name (volume); options: tmpfs's
     * (size=64m,mode=1777). anonymous: a volume made for this container alone (removed by rm -v).
     * noCopy: a new volume is not filled from the image.
     */
    public record Mount(Type type, String source, String target, boolean readOnly, String options, boolean anonymous, boolean noCopy) {}

    public static Storage orNone(Storage s) { return s == null ? NONE : s; }
}
