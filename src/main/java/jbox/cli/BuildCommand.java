package jbox.cli;

import jbox.api.ApiErrors;
import jbox.builder.DockerIgnore;
import jbox.client.ApiClient;
import jbox.sys.Failure;
import jbox.io.Json;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * docker build: sends the context directory as a tar (without what .dockerignore leaves out, owned
 * by root, as docker's CLI sends it) and prints the steps as the builder streams them.
 */
@Command(name = "build", description = "Build an image from a Dockerfile")
final class BuildCommand implements Runnable {
    @Spec CommandSpec spec;
    @Option(names = {"-t", "--tag"}, paramLabel = "NAME[:TAG]", description = "Name and optionally a tag (may be repeated)") List<String> tags = new ArrayList<>();
    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Name of the Dockerfile (default: PATH/Dockerfile)") Path file;
    @Option(names = "--build-arg", paramLabel = "NAME[=VALUE]", description = "Set a build-time variable (without =VALUE: from the environment)") List<String> buildArgs = new ArrayList<>();
    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Set metadata for the image") List<String> labels = new ArrayList<>();
    @Option(names = "--no-cache", description = "Do not use the cache when building the image") boolean noCache;
    @Option(names = {"-q", "--quiet"}, description = "Suppress the build output and print the image ID on success") boolean quiet;
    @Parameters(index = "0", paramLabel = "PATH", description = "The build context: a directory") Path context;

    @Override
    public void run() {
        Path dir = context.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new Failure("unable to prepare context: " + context + " is not a directory", "the build context is the directory with the files COPY uses",
                    "give a directory, e.g. jbox build -t app .");
        }
        try {
            String dockerfile = contextDockerfile(dir);
            StringBuilder q = new StringBuilder("/build?dockerfile=").append(enc(dockerfile));
            for (String t : tags) q.append("&t=").append(enc(t));
            if (!buildArgs.isEmpty()) q.append("&buildargs=").append(enc(Json.MAPPER.writeValueAsString(pairs(buildArgs, true))));
            if (!labels.isEmpty()) q.append("&labels=").append(enc(Json.MAPPER.writeValueAsString(pairs(labels, false))));
            if (noCache) q.append("&nocache=1");
            if (quiet) q.append("&q=1");
            var out = spec.commandLine().getOut();
            try (ApiClient.Response r = Api.client().upload("POST", q.toString(), body -> writeContext(dir, dockerfile, body))) {
                if (r.status >= 400) throw ApiErrors.fromBody(r.status, Json.MAPPER.readValue(r.body.readAllBytes(), Map.class));
                Images.eachMessage(r, n -> {
                    if (n.has("stream")) {
                        out.print(n.path("stream").asText());
                        out.flush();
                    }
                });
            }
        } catch (IOException e) {
            throw new Failure("cannot send the build context " + context + ": " + e.getMessage(), "a file in it is unreadable, or the daemon stopped",
                    "check the files' permissions and try again");
        }
    }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    private static Map<String, String> pairs(List<String> items, boolean fromEnv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String a : items) {
            int eq = a.indexOf('=');
            if (eq > 0) m.put(a.substring(0, eq), a.substring(eq + 1));
            else if (fromEnv) m.put(a, System.getenv(a));
            else m.put(a, "");
        }
        return m;
    }

    private Path dockerfile(Path dir) {
        Path df = file == null ? dir.resolve("Dockerfile") : file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(df)) {
            throw new Failure("unable to prepare context: cannot find the Dockerfile " + df, "a build reads PATH/Dockerfile unless -f names another",
                    "create it, or give its path with -f");
        }
        return df;
    }

    /** The Dockerfile's name inside the context tar (one from outside the directory is added under a name of its own). */
    private String contextDockerfile(Path dir) {
        Path df = dockerfile(dir);
        return df.startsWith(dir) ? dir.relativize(df).toString() : ".dockerfile." + Long.toHexString(System.nanoTime());
    }

    /** Writes the context as a tar into the request as it is read, without what .dockerignore leaves out. */
    private void writeContext(Path dir, String dfName, OutputStream sink) throws IOException {
        DockerIgnore ignore = DockerIgnore.read(dir);
        Path df = dockerfile(dir);
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(new java.io.FilterOutputStream(sink) {
            @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
            @Override public void close() throws IOException { flush(); } // the request goes on after the tar
        }, "UTF-8")) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            List<Path> all;
            try (Stream<Path> s = Files.walk(dir)) {
                all = s.filter(p -> !p.equals(dir)).sorted().toList();
            }
            for (Path p : all) {
                String rel = dir.relativize(p).toString();
                boolean always = rel.equals(dfName) || rel.equals(".dockerignore");
                if (!always && ignore.excludes(rel)) continue;
                add(out, p, rel);
            }
            if (!df.startsWith(dir)) add(out, df, dfName);
        }
    }

    private static void add(TarArchiveOutputStream out, Path p, String name) throws IOException {
        TarArchiveEntry e;
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        boolean regular = false;
        if (Files.isSymbolicLink(p)) {
            e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            e = new TarArchiveEntry(name + "/");
            e.setMode(040000 | mode);
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            e = new TarArchiveEntry(name);
            e.setSize(Files.size(p));
            e.setMode(0100000 | mode);
            regular = true;
        } else {
            return; // sockets, fifos and devices are not sent, as docker's CLI does not
        }
        e.setModTime(Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis());
        out.putArchiveEntry(e);
        if (regular) Files.copy(p, out);
        out.closeArchiveEntry();
    }
}
