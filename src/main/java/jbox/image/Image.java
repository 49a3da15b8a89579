package jbox.image;

import java.util.List;

/** An image in the store: the name it was found by, its manifest and its config. */
public record Image(Reference reference, Digest manifestDigest, Oci.Manifest manifest, Digest id, Oci.ImageConfig config, long size) {
    public List<Digest> diffIds() {
        return config.rootfs().diffIds().stream().map(Digest::parse).toList();
    }

    public Oci.ContainerConfig containerConfig() {
        return config.config() != null ? config.config() : new Oci.ContainerConfig(null, null, null, null, null, null, null, null, null, null);
    }
}
