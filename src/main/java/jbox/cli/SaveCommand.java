package jbox.cli;

import jbox.terminal.Candidates;

import jbox.client.ApiClient;
import jbox.sys.Failure;
import jbox.sys.Sys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** docker save: images as one docker-archive tar, which docker, podman and skopeo load. */
@Command(name = "save", description = "Save one or more images to a tar archive (streamed to STDOUT by default)")
final class SaveCommand implements Runnable {
    @Option(names = {"-o", "--output"}, description = "Write to a file, instead of STDOUT") Path output;
    @Parameters(paramLabel = "IMAGE", arity = "1..*", completionCandidates = Candidates.Images.class) List<String> images;

    @Override
    public void run() {
        if (output == null && Sys.isatty(1)) {
            throw new Failure("cowardly refusing to save to a terminal", "the archive is binary", "use -o FILE or redirect the output");
        }
        String query = images.stream().map(i -> "names=" + URLEncoder.encode(i, StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        Path tmp = output == null ? null : output.resolveSibling("." + output.getFileName() + ".part");
        try (ApiClient.Response r = Api.client().open("GET", "/images/get?" + query, null, false);
             OutputStream out = tmp == null ? new FileOutputStream(java.io.FileDescriptor.out) : Files.newOutputStream(tmp)) {
            r.body.transferTo(out);
        } catch (IOException e) {
            throw new Failure("cannot save to " + (output == null ? "STDOUT" : output) + ": " + e.getMessage(), "the disk is full or not writable, or the daemon stopped", "check and try again");
        }
        try {
            if (tmp != null) Files.move(tmp, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new Failure("cannot write " + output + ": " + e.getMessage(), null, "check the folder");
        }
    }
}
