package jbox.image;

import java.util.List;

/** An image in the store: the name it was found by, its manifest and its config. */
public record Image(Reference reference, Digest manifestDigest, ImageSpec.Manifest manifest, Digest id, ImageSpec.ImageConfig config, long size) {
    public List<Digest> diffIds() {
        return config.rootfs().diffIds().stream().map(Digest::parse).toList();
    }

    /** Its LABELs; none when its config has none. */
    public java.util.Map<String, String> labels() {
        java.util.Map<String, String> l = containerConfig().labels();
        return l == null ? java.util.Map.of() : l;
    }

    public ImageSpec.ContainerConfig containerConfig() {
        return config.config() != null ? config.config() : new ImageSpec.ContainerConfig(null, null, null, null, null, null, null, null, null, null);
    }
}
