package jbox.builder;

import jbox.engine.Engine;
import jbox.sys.Failure;
import jbox.engine.Errors;
import jbox.image.Image;
import jbox.image.ImageBuilder;
import jbox.image.LayerWriter;
import jbox.image.ImageSpec;
import jbox.image.Reference;
import jbox.runtime.ContainerState;
import jbox.runtime.Status;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * docker commit: a container's changes (its overlay upper directory, deletions as OCI whiteouts)
 * become one new layer on top of its image; --change instructions edit the config as in a Dockerfile.
 */
public final class Commit {
    private Commit() {}

    public static Image commit(Engine engine, String container, String name, List<String> changes, String comment, String author, boolean pause) {
        ContainerState c = engine.lifecycle().inspect(container);
        Reference ref = name == null || name.isEmpty() ? null : Reference.parse(name);
        try {
            Image image = engine.images().find(c.imageId());
            ConfigEdit config = ConfigEdit.of(image.config().config());
            for (String change : changes) {
                for (Dockerfile.Instruction in : Dockerfile.parse("--change", change).instructions()) {
                    if (!ConfigEdit.handles(in.keyword())) {
                        throw new BuildException("--change \"" + change + "\": " + in.keyword() + " cannot be used in a commit",
                                "a commit takes the files as they are; only config instructions apply",
                                "use CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, STOPSIGNAL, VOLUME or HEALTHCHECK");
                    }
                    config.apply(in, new java.util.LinkedHashMap<>(config.env));
                }
            }
            boolean paused = pause && c.status() == Status.RUNNING;
            if (paused) engine.tasks().pause(c.id());
            LayerWriter.Layer layer;
            boolean changed;
            try {
                Path upper = engine.containers().dirOf(c.id()).resolve("upper");
                changed = Builder.hasChanges(upper);
                layer = changed ? LayerWriter.write(upper, new LayerWriter.Options(0, Map.of(), false, true, Builder::runtimeMountpoint),
                        engine.images().layout()) : null;
            } finally {
                if (paused) engine.tasks().unpause(c.id());
            }
            String created = Instant.now().toString();
            List<ImageSpec.Descriptor> layers = new ArrayList<>(image.manifest().layers());
            List<String> diffIds = new ArrayList<>(image.config().rootfs().diffIds());
            if (layer != null) {
                layers.add(layer.descriptor());
                diffIds.add(layer.diffId().toString());
            }
            List<ImageSpec.History> history = new ArrayList<>(image.config().history() == null ? List.of() : image.config().history());
            history.add(new ImageSpec.History(created, String.join(" ", c.args()), comment == null || comment.isEmpty() ? null : comment,
                    changed ? null : Boolean.TRUE));
            ImageSpec.ImageConfig cfg = new ImageSpec.ImageConfig(created, author == null || author.isEmpty() ? null : author, ImageBuilder.architecture(),
                    "linux", config.toConfig(), new ImageSpec.RootFs("layers", diffIds), history);
            ImageSpec.Descriptor manifest = engine.images().writeImage(cfg, layers);
            if (ref != null) engine.images().tag(ref, manifest);
            else engine.images().keepUnnamed(manifest);
            return engine.images().byManifest(manifest.digestValue());
        } catch (IOException e) {
            throw Errors.explain(e, "cannot commit container " + c.name());
        } catch (IllegalArgumentException e) {
            throw new Failure(e.getMessage(), "image names are like name[:tag] or registry/name:tag", "fix the name").httpStatus(400);
        }
    }
}
