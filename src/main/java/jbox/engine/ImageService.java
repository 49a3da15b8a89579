package jbox.engine;


import jbox.sys.Failure;

import jbox.image.Bundled;
import jbox.image.Image;
import jbox.image.ImageNotFoundException;
import jbox.image.ImageStore;
import jbox.image.ImageSpec;
import jbox.image.Reference;
import jbox.runtime.ContainerState;
import jbox.runtime.StateStore;
import jbox.runtime.Status;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The engine's images: pull (bundled or from a registry), push, tag, the image for a new container, removal. */
public final class ImageService {
    private final Engine engine;
    private final ImageStore images;
    private final StateStore containers;
    private final Bundled bundled;

    ImageService(Engine engine) {
        this.engine = engine;
        this.images = engine.images();
        this.containers = engine.containers();
        this.bundled = engine.bundled();
    }

    /**
     * Pulls an image into the store. A name the bundled images have (busybox, hello) comes from
     * them, with no network; any other name from its registry (Docker Hub for names without one).
     */
    public Image pull(String name, Consumer<String> progress) {
        return pull(name, null, e -> {
            if (!e.isBytes()) progress.accept(e.toString());
        });
    }

    public Image pull(String name, jbox.registry.RegistryAuth auth, Consumer<jbox.image.PullEvent> progress) {
        Reference ref = Reference.parse(name);
        try {
            Optional<ImageSpec.Descriptor> local = bundled.find(ref);
            if (local.isPresent()) {
                progress.accept(jbox.image.PullEvent.state(ref.tag(), "Pulling from " + ref.familiarRepository() + " (bundled with jbox)"));
                Image image = images.importFrom(bundled.layout(), local.get(), ref);
                progress.accept(jbox.image.PullEvent.line("Digest: " + image.manifestDigest()));
                progress.accept(jbox.image.PullEvent.line("Status: Downloaded newer image for " + ref.familiar()));
                imageEvent("pull", ref.familiar(), ref.familiar());
                return image;
            }
            Image image = jbox.registry.Transfers.pull(images, ref, auth, progress);
            imageEvent("pull", ref.familiar(), ref.familiar());
            return image;
        } catch (jbox.registry.RegistryException e) {
            String bundledHint = ref.isOfficialShortName() ? "; the images bundled with jbox (" + bundledNames() + ") need no network" : "";
            // a Docker Hub name that is neither bundled nor reachable is most often a typo: say so first
            String fix = ref.isOfficialShortName() && e.status() == 503
                    ? "check the name (" + ref.familiarRepository() + " is not bundled with jbox), or connect to the network and try again" : e.fix();
            throw new Failure(125, "pull " + ref.familiar() + ": " + e.getMessage(), e.likelyCause() == null ? null : e.likelyCause() + bundledHint,
                    fix, e).httpStatus(e.status() == 401 || e.status() == 404 ? e.status() : 500);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot pull " + name);
        }
    }

    private String bundledNames() {
        try {
            return String.join(", ", bundled.names());
        } catch (IOException e) {
            return "none built yet";
        }
    }

    /** docker push: the image named name to the registry its name says. */
    public void push(String name, jbox.registry.RegistryAuth auth, Consumer<jbox.image.PullEvent> progress) {
        Reference ref = Reference.parse(name);
        try {
            Image image = images.find(name);
            jbox.registry.Transfers.push(images, image, ref, auth, progress);
            imageEvent("push", ref.familiar(), ref.familiar());
        } catch (ImageNotFoundException e) {
            throw new Failure("An image does not exist locally with the tag: " + ref.familiar(), "push sends an image of this store",
                    "tag one first: jbox tag IMAGE " + ref.familiar()).httpStatus(404);
        } catch (jbox.registry.RegistryException e) {
            throw new Failure(125, "push " + ref.familiar() + ": " + e.getMessage(), e.likelyCause(), e.fix(), e)
                    .httpStatus(e.status() == 401 || e.status() == 404 ? e.status() : 500);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot push " + name);
        }
    }

    /** docker tag: a second name for an image. */
    public void tag(String source, String target) {
        Reference to;
        try {
            to = Reference.parse(target);
        } catch (IllegalArgumentException e) {
            throw new Failure(e.getMessage(), "names are [REGISTRY/]REPOSITORY[:TAG]", "e.g. jbox tag busybox 127.0.0.1:5000/team/busybox:1.0").httpStatus(400);
        }
        try {
            Image image = images.find(source);
            images.tag(to, new ImageSpec.Descriptor(image.manifest().mediaType() == null ? jbox.image.MediaTypes.OCI_MANIFEST : image.manifest().mediaType(),
                    image.manifestDigest().toString(), images.layout().readBlob(image.manifestDigest()).length, null, null));
            imageEvent("tag", image.id().toString(), to.familiar());
        } catch (ImageNotFoundException e) {
            throw new Failure("No such image: " + source, "no image has that name or id", "list images with: jbox images").httpStatus(404);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot tag " + source);
        }
    }

    /** The image for a new container, pulled first if missing (as docker run does). */
    public Image imageFor(String name, Consumer<String> progress) {
        try {
            return images.find(name);
        } catch (ImageNotFoundException e) {
            progress.accept("Unable to find image '" + Reference.parse(name).familiar() + "' locally");
            return pull(name, progress);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot read image " + name);
        }
    }

    /** What an image prune removed: docker's {"Untagged"} and {"Deleted"} lines, and the bytes its layers held. */
    public record Pruned(List<String> removed, long bytes) {}

    /**
     * docker image prune: images no container uses (even a stopped one), only the untagged ones unless
     * all, and of those the ones which accepts.
     */
    public Pruned pruneImages(boolean all, java.util.function.Predicate<Image> which) {
        try {
            long before = images.unpackedSize(images.list(true));
            java.util.Set<String> used = new java.util.HashSet<>();
            for (ContainerState c : containers.all()) used.add(c.imageId());
            List<String> removed = new java.util.ArrayList<>();
            for (Image i : images.list()) {
                if (used.contains(i.id().toString()) || (!all && i.reference() != null) || !which.test(i)) continue;
                removed.addAll(removeImage(i.reference() != null ? i.reference().toString() : i.id().toString(), false));
            }
            return new Pruned(removed, Math.max(0, before - images.unpackedSize(images.list(true))));
        } catch (IOException e) {
            throw Errors.explain(e, "cannot prune images");
        }
    }

    /** docker's image events name the image by reference or id, with its name as an attribute. */
    private void imageEvent(String action, String id, String name) {
        engine.events().emit("image", action, id, Events.attrs("name", name));
    }

    public List<String> removeImage(String name, boolean force) {
        try {
            Image image = images.find(name);
            for (ContainerState c : containers.all()) {
                if (c.imageId().equals(image.id().toString()) && !force) {
                    throw new Failure("conflict: unable to remove " + name + ": container " + c.shortId() + " (" + c.name()
                            + ") is using it", "a container, even a stopped one, needs its image's layers",
                            "remove the container first (jbox rm " + c.name() + "), or force with rmi -f").httpStatus(409);
                }
            }
            List<String> removed = images.untag(image);
            for (String r : removed) {
                if (r.startsWith("Untagged: ")) imageEvent("untag", image.id().toString(), r.substring(10));
                if (r.startsWith("Deleted: ")) imageEvent("delete", image.id().toString(), null);
            }
            return removed;
        } catch (ImageNotFoundException e) {
            throw new Failure(e.getMessage(), "no image has that name or id", "list images with: jbox images").httpStatus(404);
        } catch (IOException e) {
            throw Errors.explain(e, "cannot remove image " + name);
        }
    }
}
