package jbox.builder;

import jbox.engine.Housekeeping;

import jbox.engine.Lifecycle;

import jbox.engine.CreateRequest;
import jbox.engine.Engine;
import jbox.engine.Errors;
import jbox.io.AtomicFiles;
import jbox.image.Digest;
import jbox.image.Image;
import jbox.image.ImageBuilder;
import jbox.image.ImageStore;
import jbox.image.LayerWriter;
import jbox.image.ImageSpec;
import jbox.image.Reference;
import jbox.runtime.ContainerState;
import jbox.runtime.LaunchSpec;
import jbox.sys.Linux;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * docker build, the classic way: each instruction runs on the image the one before made and
 * makes the next image; RUN runs in a real jbox container whose changes become a layer; COPY
 * and ADD stage files from the context into a layer. Every step's image is kept under a key made
 * from the step before, the instruction and its inputs: the build cache ("Using cache").
 * Layers and configs are reproducible: fixed timestamps (SOURCE_DATE_EPOCH, or 0), sorted entries.
 */
public final class Builder {
    private final Engine engine;
    private final ImageStore images;
    private final Consumer<String> out;

    /** Where the build is: the image so far, its config, and the values $NAME can take. */
    private static final class Stage {
        Image image;
        ConfigEdit config = new ConfigEdit();
        final List<ImageSpec.Descriptor> layers = new ArrayList<>();
        final List<String> diffIds = new ArrayList<>();
        final List<ImageSpec.History> history = new ArrayList<>();
        String key;
        final Map<String, String> args = new LinkedHashMap<>();

        Map<String, String> vars() {
            Map<String, String> v = new LinkedHashMap<>(args);
            v.putAll(config.env);
            return v;
        }
    }

    public Builder(Engine engine, Consumer<String> out) {
        this.engine = engine;
        this.images = engine.images();
        this.out = out;
    }

    public Image build(BuildRequest req) {
        Dockerfile df = read(req);
        long epoch = epoch(req.buildArgs());
        String created = Instant.ofEpochSecond(epoch).toString();
        Set<String> unusedArgs = new LinkedHashSet<>(req.buildArgs().keySet());
        unusedArgs.remove("SOURCE_DATE_EPOCH");
        Map<String, String> globalArgs = new LinkedHashMap<>();
        Stage s = null;
        int n = df.instructions().size();
        int step = 0;
        try {
            for (Dockerfile.Instruction in : df.instructions()) {
                step++;
                out.accept("Step " + step + "/" + n + " : " + in.text() + "\n");
                if (s == null && !in.keyword().equals("FROM")) {
                    if (!in.keyword().equals("ARG")) {
                        throw in.error("the first instruction must be FROM", "only ARG may come before FROM", "start the Dockerfile with FROM, e.g. FROM busybox");
                    }
                    declareArgs(in, globalArgs, req.buildArgs(), unusedArgs, globalArgs);
                    continue;
                }
                if (in.keyword().equals("FROM")) {
                    if (s != null) {
                        throw in.error("a second FROM: multi-stage builds are not supported", "jbox builds one stage per Dockerfile",
                                "split the stages into two Dockerfiles, build the first, and start the second FROM its image");
                    }
                    s = from(in, globalArgs);
                    continue;
                }
                step(s, in, req, unusedArgs, created, epoch);
            }
            if (s == null) throw new BuildException(df.file() + ": no FROM", "a build starts from an image", "add FROM busybox (or FROM scratch)");
            if (req.labels() != null && !req.labels().isEmpty()) {
                s.config.labels.putAll(req.labels());
                commit(s, null, created, "LABEL " + req.labels(), true);
            }
            if (s.image == null) commit(s, null, created, "FROM scratch", true);
            if (!unusedArgs.isEmpty()) out.accept("[Warning] One or more build-args " + unusedArgs + " were not consumed\n");
            out.accept("Successfully built " + s.image.id().hex().substring(0, 12) + "\n");
            ImageSpec.Descriptor manifest = new ImageSpec.Descriptor(jbox.image.MediaTypes.OCI_MANIFEST, s.image.manifestDigest(),
                    images.layout().readBlob(s.image.manifestDigest()).length);
            for (String t : req.tags()) {
                Reference ref = Reference.parse(t);
                images.tag(ref, manifest);
                out.accept("Successfully tagged " + ref.familiar() + "\n");
            }
            return s.image;
        } catch (IOException e) {
            throw Errors.explain(e, "build failed at step " + step);
        }
    }

    private static long epoch(Map<String, String> args) {
        String v = args.get("SOURCE_DATE_EPOCH");
        if (v == null) v = System.getenv("SOURCE_DATE_EPOCH");
        if (v == null || v.isBlank()) return 0;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new BuildException("SOURCE_DATE_EPOCH=" + v + " is not a number of seconds", "it sets the images' timestamps", "give seconds since 1970, e.g. 1700000000");
        }
    }

    private Dockerfile read(BuildRequest req) {
        String name = req.dockerfile() == null || req.dockerfile().isEmpty() ? "Dockerfile" : req.dockerfile();
        Path file;
        try {
            file = jbox.linux.SecurePath.resolveInside(req.context(), name, true);
        } catch (jbox.linux.SecurePath.EscapeException e) {
            throw new BuildException("cannot read the Dockerfile: " + e.describe("the build context"), "the builder reads only files inside the context",
                    "put the Dockerfile itself into the build directory, or give it with -f");
        } catch (IOException e) {
            throw Errors.explain(e, "cannot read " + name);
        }
        if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new BuildException("cannot find the Dockerfile \"" + name + "\" in the build context",
                    "a build reads DIR/Dockerfile unless -f names another file", "check the directory, or give the file with -f");
        }
        try {
            return Dockerfile.parse(name, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw Errors.explain(e, "cannot read " + name);
        }
    }

    private void declareArgs(Dockerfile.Instruction in, Map<String, String> into, Map<String, String> given, Set<String> unused, Map<String, String> vars) {
        for (String w : ShellWords.split(in.args(), vars)) {
            int eq = w.indexOf('=');
            String name = eq < 0 ? w : w.substring(0, eq);
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) throw in.error("\"" + name + "\" is not a valid ARG name", "names are letters, digits and _", "rename it");
            unused.remove(name);
            if (given.containsKey(name) && given.get(name) != null) into.put(name, given.get(name));
            else if (eq >= 0) into.put(name, w.substring(eq + 1));
            else into.remove(name);
        }
    }

    private Stage from(Dockerfile.Instruction in, Map<String, String> globalArgs) throws IOException {
        List<String> words = ShellWords.split(in.args(), globalArgs);
        if (words.isEmpty()) throw in.error("needs an image", "FROM names the image the build starts from", "write FROM busybox");
        if (words.size() == 3 && words.get(1).equalsIgnoreCase("AS")) {
            // a named stage: fine while it is the only one
        } else if (words.size() != 1) {
            throw in.error("takes one image (and optionally AS name)", "it was given " + words, "write FROM image[:tag]");
        }
        if (in.flags().containsKey("platform")) {
            String want = in.flags().get("platform");
            if (!want.equals("linux/" + ImageBuilder.architecture())) {
                throw in.error("--platform=" + want + " is not this machine's", "jbox runs linux/" + ImageBuilder.architecture() + " containers only",
                        "remove --platform or use linux/" + ImageBuilder.architecture());
            }
        }
        Stage s = new Stage();
        String name = words.get(0);
        if (name.equals("scratch")) {
            s.key = Digest.of("FROM scratch".getBytes(StandardCharsets.UTF_8)).toString();
            out.accept(" ---> \n");
            return s;
        }
        Image base;
        try {
            base = engine.imageService().imageFor(name, line -> out.accept(line + "\n"));
        } catch (jbox.sys.Failure e) {
            throw new BuildException(in.where() + ": cannot get the image " + name + ": " + e.getMessage(), e.likelyCause(), e.fix());
        }
        s.image = base;
        s.config = ConfigEdit.of(base.config().config());
        s.layers.addAll(base.manifest().layers());
        s.diffIds.addAll(base.config().rootfs().diffIds());
        if (base.config().history() != null) s.history.addAll(base.config().history());
        s.key = Digest.of(("FROM " + base.manifestDigest()).getBytes(StandardCharsets.UTF_8)).toString();
        out.accept(" ---> " + base.id().hex().substring(0, 12) + "\n");
        return s;
    }

    private void step(Stage s, Dockerfile.Instruction in, BuildRequest req, Set<String> unusedArgs, String created, long epoch) throws IOException {
        String kw = in.keyword();
        if (kw.equals("ARG")) declareArgs(in, s.args, req.buildArgs(), unusedArgs, s.vars());
        if (kw.equals("ONBUILD")) {
            throw in.error(kw + " is not supported", "jbox's builder runs a Dockerfile's own steps, not steps left for images built FROM this one",
                    "write the steps into the Dockerfile that needs them");
        }
        ContextCopy copy = kw.equals("COPY") || kw.equals("ADD") ? new ContextCopy(in, req.context(), s.vars(), s.config.workingDir) : null;
        String inputs = switch (kw) {
            case "COPY", "ADD" -> copy.digest();
            case "RUN", "ARG" -> new TreeMap<>(s.args).toString();
            default -> "";
        };
        String key = Digest.of((s.key + "\n" + in.text() + "\n" + inputs + "\n" + epoch).getBytes(StandardCharsets.UTF_8)).toString();
        List<String> shell = s.config.shell;
        Image cached = req.noCache() ? null : images.buildStep(key);
        if (cached != null) {
            out.accept(" ---> Using cache\n");
            adopt(s, cached);
            s.config.shell = shell;
            if (kw.equals("SHELL")) s.config.apply(in, s.vars());
            s.key = key;
            out.accept(" ---> " + cached.id().hex().substring(0, 12) + "\n");
            return;
        }
        switch (kw) {
            case "RUN" -> run(s, in, key, created, epoch, Housekeeping.buildContainerPrefix(req.work()) + s.history.size());
            case "COPY", "ADD" -> copy(s, in, copy, inputs, key, created, epoch, req.work());
            case "ARG" -> commit(s, key, created, "/bin/sh -c #(nop) " + in.text(), true);
            default -> {
                s.config.apply(in, s.vars());
                commit(s, key, created, "/bin/sh -c #(nop) " + in.text(), true);
            }
        }
        s.key = key;
        out.accept(" ---> " + s.image.id().hex().substring(0, 12) + "\n");
    }

    private static void adopt(Stage s, Image image) {
        s.image = image;
        s.config = ConfigEdit.of(image.config().config());
        s.layers.clear();
        s.layers.addAll(image.manifest().layers());
        s.diffIds.clear();
        s.diffIds.addAll(image.config().rootfs().diffIds());
        s.history.clear();
        if (image.config().history() != null) s.history.addAll(image.config().history());
    }

    /** Writes the stage as an image and keeps it in the build cache under key (none for the final label step). */
    private void commit(Stage s, String key, String created, String createdBy, boolean emptyLayer) throws IOException {
        s.history.add(new ImageSpec.History(created, createdBy, null, emptyLayer ? Boolean.TRUE : null));
        ImageSpec.ImageConfig cfg = new ImageSpec.ImageConfig(created, null, ImageBuilder.architecture(), "linux", s.config.toConfig(),
                new ImageSpec.RootFs("layers", List.copyOf(s.diffIds)), List.copyOf(s.history));
        ImageSpec.Descriptor manifest = images.writeImage(cfg, List.copyOf(s.layers));
        s.image = images.keepBuildStep(key != null ? key : "final:" + manifest.digest(), manifest);
    }

    private void addLayer(Stage s, Path dir, LayerWriter.Options options) throws IOException {
        LayerWriter.Layer layer = LayerWriter.write(dir, options, images.layout());
        s.layers.add(layer.descriptor());
        s.diffIds.add(layer.diffId().toString());
    }

    /** filesDigest: copy.digest(), already computed for the cache key (it reads every copied file). */
    private void copy(Stage s, Dockerfile.Instruction in, ContextCopy copy, String filesDigest, String key, String created, long epoch, Path work)
            throws IOException {
        List<Path> lower = s.image == null ? List.of() : images.layerDirs(s.image);
        Path stage = Files.createTempDirectory(work, "stage-");
        try {
            Map<String, int[]> owners = copy.stage(stage, lower);
            addLayer(s, stage, new LayerWriter.Options(epoch, owners, true, false, p -> false));
        } finally {
            AtomicFiles.deleteTree(stage);
        }
        commit(s, key, created, "/bin/sh -c #(nop) " + in.keyword() + " " + filesDigest.substring(0, 12) + " in " + copy.dest(), false);
    }

    private void run(Stage s, Dockerfile.Instruction in, String key, String created, long epoch, String containerName) throws IOException {
        if (s.layers.isEmpty()) {
            throw in.error("RUN needs a shell, and the image has no files yet", "FROM scratch starts empty", "COPY a static shell in first, or start FROM busybox");
        }
        if (s.image == null) commit(s, null, created, "FROM scratch", true);
        List<String> cmd = new ArrayList<>();
        if (in.json() != null) cmd.addAll(in.json());
        else {
            cmd.addAll(s.config.shell);
            cmd.add(in.args());
        }
        if (cmd.isEmpty() || cmd.get(cmd.size() - 1).isBlank()) throw in.error("needs a command", "RUN was given nothing", "write e.g. RUN echo hello");
        List<String> env = new ArrayList<>();
        s.args.forEach((k, v) -> { if (!s.config.env.containsKey(k)) env.add(k + "=" + v); });
        ContainerState c = engine.lifecycle().create(new CreateRequest(s.image.id().toString(), containerName, cmd, "", env, s.config.workingDir, s.config.user,
                null, false, false, false, null, jbox.linux.Storage.BUILD_STEP, null, jbox.runtime.Health.NONE, null, null, null, null, null, false),
                line -> out.accept(line + "\n"));
        out.accept(" ---> Running in " + c.id().substring(0, 12) + "\n");
        try {
            int code = runAndStream(c);
            if (code != 0) {
                throw new BuildException(in.where() + ": The command '" + String.join(" ", cmd) + "' returned a non-zero code: " + code,
                        "the command failed inside the build container; its output is above",
                        "fix the command; to try it by hand: jbox run -it " + s.image.id().hex().substring(0, 12) + " sh");
            }
            Path upper = engine.containers().dirOf(c.id()).resolve("upper");
            if (hasChanges(upper)) {
                addLayer(s, upper, new LayerWriter.Options(epoch, Map.of(), false, true, Builder::runtimeMountpoint));
                commit(s, key, created, String.join(" ", cmd), false);
            } else {
                commit(s, key, created, String.join(" ", cmd), true);
            }
        } finally {
            out.accept("Removing intermediate container " + c.id().substring(0, 12) + "\n");
            engine.lifecycle().remove(c.id(), true);
        }
    }

    /** The mountpoints the runtime itself makes (/proc, /dev, /sys) are not the command's changes. */
    static boolean runtimeMountpoint(String path) {
        return path.equals("proc") || path.equals("dev") || path.equals("sys");
    }

    static boolean hasChanges(Path upper) throws IOException {
        if (!Files.isDirectory(upper)) return false;
        try (var s = Files.list(upper)) {
            return s.anyMatch(p -> !runtimeMountpoint(p.getFileName().toString()) || !isEmptyDir(p));
        }
    }

    private static boolean isEmptyDir(Path p) {
        try (var s = Files.list(p)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /** Starts the build container with its output on a pipe, streams that to the build output, and returns the exit code. */
    private int runAndStream(ContainerState c) {
        int[] pipe = Sys.pipe();
        int devNull = Sys.open("/dev/null", Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
        Lifecycle.Owned owned;
        try {
            owned = engine.lifecycle().start(c.id(), new LaunchSpec.Stdio(devNull, pipe[1], pipe[1]));
        } catch (RuntimeException e) {
            Sys.close(pipe[0]);
            throw e;
        } finally {
            Sys.close(pipe[1]);
            Sys.close(devNull);
        }
        // The reader owns the read end and closes it at end of file.
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[8192];
            for (int n; (n = Sys.read(pipe[0], buf)) > 0; ) out.accept(new String(buf, 0, n, StandardCharsets.UTF_8));
            Sys.close(pipe[0]);
        }, "jbox-build-output");
        reader.setDaemon(true);
        reader.start();
        try {
            int code = engine.lifecycle().waitFor(owned).code();
            reader.join(2000); // a background process of the step may hold the pipe open; its output after the exit is dropped
            return code;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }
}
