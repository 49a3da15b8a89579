package jbox.registry;

import jbox.image.Digest;
import jbox.image.Image;
import jbox.image.ImageStore;
import jbox.io.Json;
import jbox.image.MediaTypes;
import jbox.image.ImageSpec;
import jbox.image.Reference;
import jbox.image.ImageBuilder;
import jbox.image.PullEvent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** docker pull and docker push between the image store and a registry. */
public final class Transfers {
    private Transfers() {}

    /**
     * Pulls ref: its manifest (from an index or manifest list, the one for this machine's
     * platform), then the config and the layers not yet in the store.
     */
    public static Image pull(ImageStore store, Reference ref, RegistryAuth auth, Consumer<PullEvent> progress) throws IOException {
        RegistryClient registry = new RegistryClient(ref.registry(), auth);
        String reference = ref.digest() != null ? ref.digest().toString() : ref.tag();
        progress.accept(PullEvent.state(ref.tag() != null ? ref.tag() : ref.digest().toString(), "Pulling from " + ref.familiarRepository()));
        RegistryClient.Fetched top = registry.manifest(ref.repository(), reference);
        RegistryClient.Fetched manifest = top;
        if (MediaTypes.OCI_INDEX.equals(top.mediaType()) || MediaTypes.DOCKER_LIST.equals(top.mediaType())) {
            ImageSpec.Index index = Json.read(top.bytes(), ImageSpec.Index.class, "index of " + ref.familiar());
            ImageSpec.Descriptor mine = platform(index, ref);
            manifest = registry.manifest(ref.repository(), mine.digest());
        }
        Image image = store.importFrom(d -> registry.blob(ref.repository(), d.digestValue()), manifest.bytes(), manifest.mediaType(), ref,
                (blob, status, current, total) -> progress.accept(new PullEvent(blob.digestValue().shortHex(), status, current, total)));
        progress.accept(PullEvent.line("Digest: " + top.digest()));
        progress.accept(PullEvent.line("Status: Downloaded newer image for " + ref.familiar()));
        return image;
    }

    /**
     * Another repository of the same registry that holds the blob, as far as this store knows
     * (an image named there has it), so the registry can mount it instead of receiving it again.
     */
    static String mountSource(ImageStore store, Reference target, Digest blob) throws IOException {
        for (Image other : store.list()) {
            Reference r = other.reference();
            if (r == null || !r.registry().equals(target.registry()) || r.repository().equals(target.repository())) continue;
            if (other.id().equals(blob) || other.manifest().layers().stream().anyMatch(l -> l.digestValue().equals(blob))) return r.repository();
        }
        return null;
    }

    /** The entry of an index for linux and this machine's architecture, as docker picks it. */
    static ImageSpec.Descriptor platform(ImageSpec.Index index, Reference ref) throws RegistryException {
        String arch = ImageBuilder.architecture();
        List<String> offered = new ArrayList<>();
        for (ImageSpec.Descriptor d : index.manifests()) {
            ImageSpec.Platform p = d.platform();
            if (p == null) continue;
            offered.add(p.os() + "/" + p.architecture() + (p.variant() != null ? "/" + p.variant() : ""));
            if ("linux".equals(p.os()) && arch.equals(p.architecture())) return d;
        }
        throw new RegistryException(404, "no matching manifest for linux/" + arch + " in the manifest list of " + ref.familiar(),
                "the image is built for " + String.join(", ", offered), "use an image built for linux/" + arch);
    }

    /** Pushes the image named ref to its registry: blobs the registry lacks, then the manifest. */
    public static void push(ImageStore store, Image image, Reference ref, RegistryAuth auth, Consumer<PullEvent> progress) throws IOException {
        RegistryClient registry = new RegistryClient(ref.registry(), auth);
        String tag = ref.tag() != null ? ref.tag() : "latest";
        progress.accept(PullEvent.line("The push refers to repository [" + ref.registry() + "/" + ref.repository() + "]"));
        List<ImageSpec.Descriptor> blobs = new ArrayList<>(image.manifest().layers());
        blobs.add(image.manifest().config());
        for (ImageSpec.Descriptor b : blobs) {
            Digest d = b.digestValue();
            if (registry.hasBlob(ref.repository(), d)) {
                progress.accept(PullEvent.state(d.shortHex(), "Layer already exists"));
                continue;
            }
            progress.accept(new PullEvent(d.shortHex(), "Pushing", 0, b.size()));
            String how = registry.upload(ref.repository(), d, b.size(), () -> {
                try {
                    return new jbox.io.CountingInputStream(store.layout().openBlob(d), n -> progress.accept(new PullEvent(d.shortHex(), "Pushing", n, b.size())));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, mountSource(store, ref, d));
            progress.accept(PullEvent.state(d.shortHex(), how));
        }
        byte[] manifest = store.layout().readBlob(image.manifestDigest());
        String type = image.manifest().mediaType() != null ? image.manifest().mediaType() : MediaTypes.OCI_MANIFEST;
        registry.putManifest(ref.repository(), tag, manifest, type);
        progress.accept(PullEvent.line(tag + ": digest: " + image.manifestDigest() + " size: " + manifest.length));
    }
}
