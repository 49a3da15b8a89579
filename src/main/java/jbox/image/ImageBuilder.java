package jbox.image;

import jbox.io.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Makes a one-layer image from a root filesystem directory and a config, reproducibly: the same
 * directory content and config always give the same layer, config and manifest digests.
 */
public final class ImageBuilder {
    private ImageBuilder() {}

    /** Docker's names for this machine's architecture. */
    public static String architecture() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
    }

    public static ImageSpec.Descriptor build(Path rootfs, ImageSpec.ContainerConfig config, String createdBy, long epochSeconds, OciLayout into)
            throws IOException {
        LayerWriter.Layer layer = LayerWriter.write(rootfs, epochSeconds, into);
        String created = Instant.ofEpochSecond(epochSeconds).toString();
        ImageSpec.ImageConfig imageConfig = new ImageSpec.ImageConfig(created, null, architecture(), "linux", config,
                new ImageSpec.RootFs("layers", List.of(layer.diffId().toString())),
                List.of(new ImageSpec.History(created, createdBy, null, null)));
        byte[] configBytes = Json.bytes(imageConfig);
        Digest configDigest = into.writeBlob(configBytes);
        ImageSpec.Manifest manifest = new ImageSpec.Manifest(2, MediaTypes.OCI_MANIFEST,
                new ImageSpec.Descriptor(MediaTypes.OCI_CONFIG, configDigest, configBytes.length),
                List.of(layer.descriptor()), null);
        byte[] manifestBytes = Json.bytes(manifest);
        Digest manifestDigest = into.writeBlob(manifestBytes);
        return new ImageSpec.Descriptor(MediaTypes.OCI_MANIFEST, manifestDigest, manifestBytes.length);
    }

}
