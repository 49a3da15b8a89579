package jbox.it;

import jbox.image.Digest;
import jbox.io.Json;
import jbox.image.MediaTypes;
import jbox.image.ImageSpec;
import jbox.image.OciLayout;
import jbox.image.Reference;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Writes multi-layer test images into an OCI layout: the busybox layer plus layers given as tar entries. */
final class LayeredImages {
    private LayeredImages() {}

    /** Entries are "path=content" for files, "path/" for directories. */
    static void write(Path layoutDir, String name, List<List<String>> extraLayers) throws IOException {
        OciLayout bundled = OciLayout.existing(Jbox.HOME.resolve("images/oci"));
        ImageSpec.Descriptor bbDesc = bundled.index().manifests().stream()
                .filter(d -> d.annotations().get(OciLayout.REF_NAME).contains("/busybox:")).findFirst().orElseThrow();
        ImageSpec.Manifest bb = Json.read(bundled.readBlob(bbDesc.digestValue()), ImageSpec.Manifest.class, "busybox manifest");
        ImageSpec.ImageConfig bbConfig = Json.read(bundled.readBlob(bb.config().digestValue()), ImageSpec.ImageConfig.class, "busybox config");

        OciLayout out = OciLayout.open(layoutDir);
        List<ImageSpec.Descriptor> layers = new ArrayList<>(bb.layers());
        List<String> diffIds = new ArrayList<>(bbConfig.rootfs().diffIds());
        out.writeBlob(bundled.readBlob(bb.layers().get(0).digestValue()));
        for (List<String> entries : extraLayers) {
            byte[] tar = tar(entries);
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (OutputStream z = new GZIPOutputStream(gz)) {
                z.write(tar);
            }
            Digest d = out.writeBlob(gz.toByteArray());
            layers.add(new ImageSpec.Descriptor(MediaTypes.OCI_LAYER_GZIP, d, gz.size()));
            diffIds.add(Digest.of(tar).toString());
        }
        byte[] config = Json.bytes(new ImageSpec.ImageConfig(bbConfig.created(), null, bbConfig.architecture(), "linux", bbConfig.config(),
                new ImageSpec.RootFs("layers", diffIds), null));
        Digest configDigest = out.writeBlob(config);
        byte[] manifest = Json.bytes(new ImageSpec.Manifest(2, MediaTypes.OCI_MANIFEST,
                new ImageSpec.Descriptor(MediaTypes.OCI_CONFIG, configDigest, config.length), layers, null));
        Digest manifestDigest = out.writeBlob(manifest);
        out.name(Reference.parse(name), new ImageSpec.Descriptor(MediaTypes.OCI_MANIFEST, manifestDigest, manifest.length));
    }

    private static byte[] tar(List<String> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes, "UTF-8")) {
            for (String e : entries) {
                TarArchiveEntry entry;
                byte[] data = null;
                if (e.endsWith("/")) {
                    entry = new TarArchiveEntry(e);
                    entry.setMode(040755);
                } else {
                    String[] kv = e.split("=", 2);
                    entry = new TarArchiveEntry(kv[0]);
                    data = kv[1].getBytes(StandardCharsets.UTF_8);
                    entry.setSize(data.length);
                    entry.setMode(0100644);
                }
                t.putArchiveEntry(entry);
                if (data != null) t.write(data);
                t.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

}
