package jbox.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tiny images that ship with jbox: built from the recipes in images/ by the set-up into one
 * OCI layout at images/oci. They answer one-word names (busybox, hello) with no network.
 */
public final class Bundled {
    private final Path layoutDir;

    public Bundled(Path jboxHome) { this.layoutDir = jboxHome.resolve("images/oci"); }

    public Path layoutDir() { return layoutDir; }

    public boolean available() { return Files.isRegularFile(layoutDir.resolve("index.json")); }

    public Optional<ImageSpec.Descriptor> find(Reference ref) throws IOException {
        if (!available()) return Optional.empty();
        for (ImageSpec.Descriptor d : OciLayout.existing(layoutDir).index().manifests()) {
            if (ref.canonical().equals(OciLayout.refName(d))) return Optional.of(d);
        }
        return Optional.empty();
    }

    public List<String> names() throws IOException {
        List<String> out = new ArrayList<>();
        if (!available()) return out;
        for (ImageSpec.Descriptor d : OciLayout.existing(layoutDir).index().manifests()) {
            if (OciLayout.refName(d) != null) out.add(Reference.parse(OciLayout.refName(d)).familiar());
        }
        return out;
    }

    public OciLayout layout() throws IOException { return OciLayout.existing(layoutDir); }
}
