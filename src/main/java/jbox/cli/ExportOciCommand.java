package jbox.cli;

import jbox.engine.Engine;
import jbox.engine.Errors;
import jbox.image.Image;
import jbox.image.OciLayout;
import jbox.image.Reference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Internal, used by the set-up (images/build.sh): copies images from the store into an OCI layout
 * directory, such as the bundled images/oci, verifying every blob on the way.
 */
@Command(name = "_export-oci", hidden = true)
final class ExportOciCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = "--into", required = true) Path layoutDir;
    @Parameters(paramLabel = "IMAGE") List<String> names;

    @Override
    public void run() {
        Engine engine = Engine.open();
        try {
            OciLayout into = OciLayout.open(layoutDir);
            for (String name : names) {
                Image image = engine.images().find(name);
                OciLayout from = engine.images().layout();
                byte[] manifest = from.readBlob(image.manifestDigest());
                into.writeBlob(from.readBlob(image.id()));
                for (var layer : image.manifest().layers()) {
                    try (var in = from.openBlob(layer.digestValue())) {
                        into.writeBlob(in, layer.digestValue(), layer.size());
                    }
                }
                into.writeBlob(manifest);
                Reference ref = Reference.parse(name);
                into.name(ref, new jbox.image.ImageSpec.Descriptor(jbox.image.MediaTypes.OCI_MANIFEST, image.manifestDigest(), manifest.length));
                spec.commandLine().getOut().println(ref.familiar() + " " + image.manifestDigest());
            }
        } catch (IOException e) {
            throw Errors.explain(e, "cannot export images to " + layoutDir);
        }
    }
}
