package jbox.image;

import java.util.List;

/** An image in the store: the name it was found by, its manifest and its config. */
public record Image(Reference reference, Digest manifestDigest, ImageSpec.Manifest manifest, Digest id, ImageSpec.ImageConfig config, long size) {
    public List<Digest> diffIds() {
        return config.rootfs().diffIds().stream().map(Digest::parse).toList();
    }

    public ImageSpec.ContainerConfig containerConfig() {
        return config.config() != null ? config.config() : new ImageSpec.ContainerConfig(null, null, null, null, null, null, null, null, null, null);
    }
}
