package jbox.cli;

import jbox.engine.Errors;
import jbox.image.ImageBuilder;
import jbox.image.Json;
import jbox.image.Oci;
import jbox.image.OciLayout;
import jbox.image.Reference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Internal, used by the set-up: packs a recipe's root filesystem and config into the bundled
 * OCI layout, reproducibly (fixed timestamps and owners, so the same digest every time).
 */
@Command(name = "_bundle-image", hidden = true)
final class BuildBundledCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = "--rootfs", required = true) Path rootfs;
    @Option(names = "--config", required = true, description = "JSON with the image config's Env, Cmd, ...") Path config;
    @Option(names = "--name", required = true) String name;
    @Option(names = "--into", required = true) Path layoutDir;
    @Option(names = "--created-by", defaultValue = "jbox images/ recipe") String createdBy;

    @Override
    public void run() {
        try {
            Oci.ContainerConfig cfg = Json.read(Files.readAllBytes(config), Oci.ContainerConfig.class, config.toString());
            OciLayout layout = OciLayout.open(layoutDir);
            Reference ref = Reference.parse(name);
            Oci.Descriptor manifest = ImageBuilder.build(rootfs, cfg, createdBy, 0, layout);
            layout.name(ref, manifest);
            spec.commandLine().getOut().println(ref.familiar() + " " + manifest.digest());
        } catch (IOException e) {
            throw Errors.explain(e, "cannot build bundled image " + name);
        }
    }
}
