package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import jbox.client.ApiClient;
import jbox.image.HostileLayerException;
import jbox.image.LayerUnpacker;
import jbox.io.AtomicFiles;
import jbox.io.Json;
import jbox.io.TarTrees;
import jbox.sys.Failure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

/**
 * docker cp: files between a container and this machine, as a tar through the API. The daemon
 * resolves the container's side inside its root; this side never writes through a link the archive holds.
 */
@Command(name = "cp", description = "Copy files/folders between a container and the local filesystem (CONTAINER:PATH; - is a tar on stdin or stdout)")
final class CpCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-a", "--archive"}, description = "Archive mode (copy all uid/gid information)") boolean archive;
    @Option(names = {"-L", "--follow-link"}, description = "Always follow a symbolic link in SRC_PATH") boolean followLink;
    @Option(names = {"-q", "--quiet"}, description = "Suppress progress output (jbox prints none)") boolean quiet;
    @Parameters(index = "0", paramLabel = "SRC") String source;
    @Parameters(index = "1", paramLabel = "DEST") String destination;

    /** One side of a copy: a container's path, or a local one (container null). */
    private record Side(String container, String path) {
        static Side parse(String arg) {
            int colon = arg.indexOf(':');
            // as docker: a local path with a colon must start with / or . (./a:b)
            if (colon <= 0 || arg.startsWith("/") || arg.startsWith(".")) return new Side(null, arg);
            String path = arg.substring(colon + 1);
            return new Side(arg.substring(0, colon), path.isEmpty() ? "/" : path);
        }
    }

    /** The daemon's stat of a container path: whether it is a directory, and where a link leads. */
    private record Stat(boolean dir, String linkTarget) {}

    @Override
    public void run() {
        Side src = Side.parse(source), dst = Side.parse(destination);
        if (src.container() != null && dst.container() != null) {
            throw new Failure("copying between containers is not supported", "one side of jbox cp is this machine", "copy to a local directory first, then into the other container");
        }
        if (src.container() == null && dst.container() == null) {
            throw new Failure("must specify at least one container source", "neither " + source + " nor " + destination + " names a container",
                    "write the container's side as CONTAINER:PATH, e.g. jbox cp web:/etc/hostname .");
        }
        try {
            if (src.container() != null) fromContainer(src, dst.path()); else toContainer(src.path(), dst);
        } catch (IOException e) {
            throw new Failure("cannot copy " + source + " to " + destination + ": " + e.getMessage(), "a file is unreadable, the disk is full or the daemon stopped",
                    "check and try again");
        }
    }

    private Stat stat(Side s) {
        try (ApiClient.Response r = Api.client().send("HEAD", archivePath(s), null, false)) {
            if (r.status == 404) return null;
            if (r.status >= 400) throw new Failure("cannot look at " + s.container() + ":" + s.path() + " (the daemon answered " + r.status + ")", null, "check the container's name");
            JsonNode st = Json.MAPPER.readTree(Base64.getDecoder().decode(r.headers.getOrDefault("x-docker-container-path-stat", "e30=")));
            return new Stat((st.path("mode").asLong() & (1L << 31)) != 0, st.path("linkTarget").asText(""));
        } catch (IOException e) {
            throw new Failure("lost the daemon while looking at " + s.container() + ":" + s.path() + ": " + e.getMessage(), "the daemon stopped", "try again");
        }
    }

    private static String archivePath(Side s) {
        return "/containers/" + ApiClient.seg(s.container()) + "/archive?path=" + ApiClient.seg(s.path());
    }

    private void fromContainer(Side src, String dest) throws IOException {
        Side from = src;
        if (followLink) {
            Stat st = stat(src);
            if (st != null && !st.linkTarget().isEmpty()) from = new Side(src.container(), st.linkTarget());
        }
        try (ApiClient.Response r = Api.client().open("GET", archivePath(from), null, false)) {
            if (dest.equals("-")) {
                r.body.transferTo(System.out);
                System.out.flush();
                return;
            }
            Path to = Path.of(dest).toAbsolutePath();
            if (Files.isDirectory(to)) {
                unpack(r.body, to); // into it, under the source's own name (its contents for SRC/.)
                return;
            }
            Path parent = to.getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw new Failure("destination directory " + parent + " does not exist", null, "create it first, or copy into an existing directory");
            }
            // under the destination's name: unpacked beside it, then moved into place
            Path tmp = Files.createTempDirectory(parent, ".jbox-cp-");
            try {
                unpack(r.body, tmp);
                try (var top = Files.list(tmp)) {
                    Path only = top.findFirst().orElseThrow(() -> new Failure("the container sent an empty archive for " + src.path(), null, null));
                    if (Files.isDirectory(only, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.exists(to) && !Files.isDirectory(to)) {
                        throw new Failure("cannot copy a directory to a file: " + dest, null, "name a directory, or a path that does not exist yet");
                    }
                    if (Files.isDirectory(to)) AtomicFiles.deleteTree(to);
                    Files.move(only, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                AtomicFiles.deleteTree(tmp);
            }
        }
    }

    private void unpack(InputStream tar, Path dir) throws IOException {
        try {
            LayerUnpacker.unpackCopy(tar, dir, archive);
        } catch (HostileLayerException e) {
            throw new Failure("cannot copy " + e.entry() + " to " + dir + ": " + e.why(), "the copy would write outside the place it names", "copy into another directory");
        }
    }

    private void toContainer(String src, Side dst) throws IOException {
        String putDir;
        String name;
        if (src.equals("-")) {
            send(dst.path(), out -> System.in.transferTo(out));
            return;
        }
        Path from = Path.of(src);
        if (followLink) from = from.toRealPath();
        if (!Files.exists(from, java.nio.file.LinkOption.NOFOLLOW_LINKS)) throw new Failure("no such file or directory: " + src, null, "check the path");
        Stat st = stat(dst);
        String base = src.endsWith("/.") ? "." : from.getFileName() == null ? "." : from.getFileName().toString();
        if (st != null && st.dir()) {
            putDir = dst.path();
            name = base;
        } else {
            if (st != null && Files.isDirectory(from)) {
                throw new Failure("cannot copy a directory to a file: " + dst.container() + ":" + dst.path(), null, "name a directory of the container");
            }
            String p = dst.path().replaceAll("/+$", "");
            int slash = p.lastIndexOf('/');
            putDir = slash <= 0 ? "/" : p.substring(0, slash);
            name = p.substring(slash + 1);
        }
        Path entry = from;
        send(putDir, out -> TarTrees.write(entry, name, out, d -> true));
    }

    private void send(String dir, ApiClient.Body body) throws IOException {
        String path = "/containers/" + ApiClient.seg(destinationContainer()) + "/archive?noOverwriteDirNonDir=true&path=" + ApiClient.seg(dir)
                + (archive ? "&copyUIDGID=true" : "");
        try (ApiClient.Response r = Api.client().upload("PUT", path, body)) {
            if (r.status >= 400) throw jbox.api.ApiErrors.fromBody(r.status, Json.MAPPER.readValue(r.body.readAllBytes(), Map.class));
        }
    }

    private String destinationContainer() { return Side.parse(destination).container(); }
}
