package jbox.builder;

import jbox.image.Digest;
import jbox.image.LayerUnpacker;
import jbox.linux.User;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * COPY and ADD: which files of the build context an instruction names, a digest of them for the
 * cache, and a staging directory holding exactly the files the new layer adds (with the parent
 * directories the image already has, keeping their owner and mode).
 */
final class ContextCopy {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Dockerfile.Instruction in;
    private final Path context;
    private final List<Path> sources = new ArrayList<>();
    private final String dest;
    private final boolean destIsDir;
    private final String chown;
    private final Integer chmod;

    /** Reads the instruction's words; workingDir makes a relative destination absolute. */
    ContextCopy(Dockerfile.Instruction in, Path context, Map<String, String> vars, String workingDir) throws IOException {
        this.in = in;
        this.context = context;
        for (String f : in.flags().keySet()) {
            if (f.equals("from")) {
                throw in.error("--from is not supported", "--from copies from another build stage or image; jbox builds one stage",
                        "copy the files into the build context, or build the other image first and start FROM it");
            }
            if (!f.equals("chown") && !f.equals("chmod")) {
                throw in.error("unknown flag --" + f, in.keyword() + " knows --chown and --chmod", "remove --" + f);
            }
        }
        List<String> words = in.json() != null ? in.json() : ShellWords.split(in.args(), vars);
        if (words.size() < 2) {
            throw in.error("needs a source and a destination", "the form is " + in.keyword() + " SOURCE... DEST",
                    "write e.g. " + in.keyword() + " app.sh /usr/local/bin/");
        }
        String rawDest = words.get(words.size() - 1);
        String base = workingDir == null || workingDir.isEmpty() ? "/" : workingDir;
        String absolute = rawDest.startsWith("/") ? rawDest : base + "/" + rawDest;
        this.dest = "/" + DockerIgnore.clean(absolute);
        for (String src : words.subList(0, words.size() - 1)) sources.addAll(match(src));
        boolean many = words.size() > 2 || words.subList(0, words.size() - 1).stream().anyMatch(Glob::hasMagic);
        this.destIsDir = rawDest.endsWith("/") || rawDest.endsWith("/.") || rawDest.equals(".") || (many && sources.size() > 1);
        if (many && sources.size() > 1 && !rawDest.endsWith("/")) {
            throw in.error("the destination " + rawDest + " must be a directory ending in /", "several files are copied",
                    "write " + rawDest + "/");
        }
        this.chown = in.flags().containsKey("chown") ? ShellWords.word(in.flags().get("chown"), vars) : null;
        String mode = in.flags().get("chmod");
        try {
            this.chmod = mode == null ? null : Integer.parseInt(mode, 8);
        } catch (NumberFormatException e) {
            throw in.error("--chmod=" + mode + " is not an octal mode", "modes are octal digits", "write e.g. --chmod=755");
        }
    }

    private List<Path> match(String src) throws IOException {
        if (src.matches("(?i)https?://.*")) {
            throw in.error("ADD from a URL is not supported", "jbox builds without reaching the network",
                    "download the file into the build context and COPY it");
        }
        String cleaned = DockerIgnore.clean(src);
        if (Path.of(src.startsWith("/") ? src.substring(1) : src).normalize().startsWith("..")) {
            throw in.error("forbidden path outside the build context: " + src, "only files inside the context are sent to the builder",
                    "move the file into the build directory");
        }
        List<Path> found = new ArrayList<>();
        if (Glob.hasMagic(cleaned)) {
            Pattern p = Glob.compile(cleaned);
            try (Stream<Path> all = Files.walk(context)) {
                all.filter(f -> !f.equals(context) && p.matcher(context.relativize(f).toString()).matches()).sorted().forEach(found::add);
            }
        } else {
            Path f;
            try {
                f = jbox.linux.SecurePath.resolveInside(context, cleaned, false);
            } catch (jbox.linux.SecurePath.EscapeException e) {
                throw in.error("forbidden path outside the build context: " + e.describe("the build context"),
                        "the builder reads only files inside the context; a symbolic link is followed only while it stays inside",
                        "copy the files themselves into the build directory instead of linking to them");
            }
            if (Files.exists(f, NOFOLLOW)) found.add(f);
        }
        if (found.isEmpty()) {
            throw in.error("file not found in build context or excluded by .dockerignore: " + src,
                    "the path is relative to the build context directory, and .dockerignore may leave it out",
                    "check the name, and that .dockerignore does not exclude it");
        }
        return found;
    }

    /** A digest of what is copied (names, types, modes, contents, link targets) and how, for the build cache. */
    String digest() throws IOException {
        MessageDigest md = Digest.sha256();
        md.update((in.keyword() + " " + dest + " " + destIsDir + " " + chown + " " + chmod + "\n").getBytes(StandardCharsets.UTF_8));
        for (Path src : sources) {
            try (Stream<Path> walk = Files.walk(src)) {
                for (Path p : walk.sorted().toList()) {
                    md.update((context.relativize(p) + "\0" + Files.getAttribute(p, "unix:mode", NOFOLLOW) + "\0").getBytes(StandardCharsets.UTF_8));
                    if (Files.isSymbolicLink(p)) {
                        md.update(Files.readSymbolicLink(p).toString().getBytes(StandardCharsets.UTF_8));
                    } else if (Files.isRegularFile(p, NOFOLLOW)) {
                        try (InputStream f = Files.newInputStream(p)) {
                            byte[] buf = new byte[65536];
                            for (int n; (n = f.read(buf)) > 0; ) md.update(buf, 0, n);
                        }
                    }
                }
            }
        }
        return Digest.fromMessageDigest(md).hex();
    }

    String dest() { return dest; }

    /**
     * Fills stage with the files to add, under their paths in the image, and returns the owner of
     * every entry: the copied ones root's or --chown's, the parent directories the image's.
     */
    Map<String, int[]> stage(Path stage, List<Path> lowerDirs) throws IOException {
        Map<String, int[]> owners = new HashMap<>();
        int[] owner = chown == null ? new int[]{0, 0} : resolveOwner(lowerDirs);
        String destDir = destIsDir || sources.size() == 1 && Files.isDirectory(sources.get(0), NOFOLLOW) ? dest : parentOf(dest);
        stageParents(stage, destDir, lowerDirs, owners);
        for (Path src : sources) {
            if (Files.isDirectory(src, NOFOLLOW)) {
                copyTree(src, stage.resolve(rel(destDir)), stage, owner, owners);
            } else if (in.keyword().equals("ADD") && unpackable(src)) {
                Path into = stage.resolve(rel(destIsDir ? dest : destDir));
                Files.createDirectories(into);
                try (InputStream tar = decompressed(src)) {
                    LayerUnpacker.unpack(tar, into);
                }
                try (Stream<Path> walk = Files.walk(into)) {
                    for (Path p : walk.toList()) if (!p.equals(into)) mark(p, stage, owner, owners);
                }
            } else {
                Path target = destIsDir ? stage.resolve(rel(dest)).resolve(src.getFileName().toString()) : stage.resolve(rel(dest));
                Files.createDirectories(target.getParent());
                copyOne(src, target);
                mark(target, stage, owner, owners);
            }
        }
        return owners;
    }

    private void copyTree(Path src, Path into, Path stage, int[] owner, Map<String, int[]> owners) throws IOException {
        Files.createDirectories(into);
        try (Stream<Path> walk = Files.walk(src)) {
            for (Path p : walk.sorted().toList()) {
                if (p.equals(src)) continue;
                Path target = into.resolve(src.relativize(p).toString());
                copyOne(p, target);
                mark(target, stage, owner, owners);
            }
        }
    }

    private static void copyOne(Path src, Path target) throws IOException {
        if (Files.isDirectory(src, NOFOLLOW)) {
            if (!Files.isDirectory(target, NOFOLLOW)) Files.createDirectory(target);
        } else {
            Files.copy(src, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        }
        // the whole mode, with the sticky, setuid and setgid bits Java's permission sets leave out (/tmp is 1777)
        if (!Files.isSymbolicLink(src)) jbox.sys.Sys.chmod(target.toString(), (Integer) Files.getAttribute(src, "unix:mode", NOFOLLOW) & 07777);
    }

    private void mark(Path p, Path stage, int[] owner, Map<String, int[]> owners) throws IOException {
        owners.put(stage.relativize(p).toString(), owner);
        if (chmod != null && !Files.isSymbolicLink(p)) jbox.sys.Sys.chmod(p.toString(), chmod);
    }

    /** The destination's parent directories, with the owner and mode they have in the image (root 0755 if new). */
    private static void stageParents(Path stage, String dir, List<Path> lowerDirs, Map<String, int[]> owners) throws IOException {
        String path = "";
        for (String part : rel(dir).isEmpty() ? new String[0] : rel(dir).split("/")) {
            path = path.isEmpty() ? part : path + "/" + part;
            Path staged = stage.resolve(path);
            Files.createDirectories(staged);
            Path existing = topmost(lowerDirs, path);
            if (existing != null && Files.isDirectory(existing, NOFOLLOW)) {
                jbox.sys.Sys.chmod(staged.toString(), (Integer) Files.getAttribute(existing, "unix:mode", NOFOLLOW) & 07777);
                owners.put(path, new int[]{(Integer) Files.getAttribute(existing, "unix:uid", NOFOLLOW),
                        (Integer) Files.getAttribute(existing, "unix:gid", NOFOLLOW)});
            } else {
                jbox.sys.Sys.chmod(staged.toString(), 0755);
                owners.put(path, new int[]{0, 0});
            }
        }
    }

    private int[] resolveOwner(List<Path> lowerDirs) throws IOException {
        try {
            User u = User.resolve(f -> topmost(lowerDirs, f.substring(1)), chown);
            // docker: a user without a group gets the same number as its gid
            return new int[]{u.uid(), chown.contains(":") ? u.gid() : u.uid()};
        } catch (IllegalArgumentException e) {
            throw in.error("--chown=" + chown + ": " + e.getMessage(), "a name must be in the image's /etc/passwd or /etc/group",
                    "use numbers (--chown=1000:1000) or add the user first");
        }
    }

    /** A path as the image's layers have it, topmost layer first; null if no layer has it. */
    static Path topmost(List<Path> lowerDirs, String relative) {
        for (Path layer : lowerDirs) {
            Path p = layer.resolve(relative);
            if (Files.exists(p, NOFOLLOW)) return p;
        }
        return null;
    }

    private static boolean unpackable(Path f) throws IOException {
        if (!Files.isRegularFile(f, NOFOLLOW)) return false;
        byte[] head = new byte[512];
        int n;
        try (InputStream in = Files.newInputStream(f)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) return true;
        if (n >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') return true;
        return n >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    }

    private static InputStream decompressed(Path f) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(f), 65536);
        raw.mark(4);
        int a = raw.read(), b = raw.read();
        raw.reset();
        if (a == 0x1f && b == 0x8b) return new GZIPInputStream(raw, 65536);
        if (a == 'B' && b == 'Z') return new BZip2CompressorInputStream(raw);
        return raw;
    }

    private static String rel(String absolute) { return DockerIgnore.clean(absolute); }

    private static String parentOf(String absolute) {
        int slash = absolute.lastIndexOf('/');
        return slash <= 0 ? "/" : absolute.substring(0, slash);
    }
}
