package jbox.cli;

import jbox.engine.Engine;
import jbox.engine.Errors;
import jbox.image.Image;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.util.List;

@Command(name = "images", description = "List images")
final class ImagesCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-q", "--quiet"}, description = "Only show image IDs") boolean quiet;
    @Option(names = "--no-trunc", description = "Don't truncate output") boolean noTrunc;

    @Override
    public void run() {
        List<Image> images;
        try {
            images = Engine.open().images().list();
        } catch (IOException e) {
            throw Errors.explain(e, "cannot list images");
        }
        var out = spec.commandLine().getOut();
        if (quiet) {
            images.forEach(i -> out.println(noTrunc ? i.id().toString() : i.id().shortHex()));
            return;
        }
        List<String[]> rows = Format.rows("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
        for (Image i : images) {
            rows.add(new String[]{i.reference() == null ? "<none>" : i.reference().familiarRepository(),
                    i.reference() == null || i.reference().tag() == null ? "<none>" : i.reference().tag(),
                    noTrunc ? i.id().toString() : i.id().shortHex(), Format.ago(i.config().created()), Format.size(i.size())});
        }
        out.print(Format.table(rows));
    }
}
