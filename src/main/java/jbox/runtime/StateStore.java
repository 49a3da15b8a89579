package jbox.runtime;

import jbox.sys.Processes;

import jbox.io.AtomicFiles;
import jbox.io.FileLock;
import jbox.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Containers on disk: one directory each under ROOT/containers, state.json written atomically, and an
 * index of names (containers/.names/NAME holds the id), so finding a container by name or id and
 * checking that a name is free read one file, not every container's state.
 *
 * <p>A jbox can be killed at any instruction, so a container appears and disappears in one rename:
 * it is made as .new-OWNER-ID (its name claimed first) and renamed to ID, and removed by renaming ID
 * to .trash-OWNER-ID before anything else. What a killed jbox leaves in between carries its owner's
 * pid and start time, and {@link #sweep} removes it once that process is gone.
 */
public final class StateStore {
    /**
     * Disk space kept back for recording what containers do. A container that fills the disk must
     * not stop jbox from recording its exit, or a stop, kill or removal: those are how a user frees
     * space. The reserve is given up for such a write, and made again when there is room.
     */
    static final long RESERVE_BYTES = 4L << 20;

    private final Path dir;
    private final Path names;
    private final Path reserve;

    public StateStore(Path jboxRoot) throws IOException {
        this.dir = jboxRoot.resolve("containers");
        this.names = dir.resolve(".names");
        this.reserve = dir.resolve(".reserve");
        Files.createDirectories(dir);
    }

    /** Makes the reserve if it is missing and the disk has room; without room it is made on a later try. */
    public void keepReserve() {
        if (Files.exists(reserve)) return;
        try {
            if (!jbox.sys.Sys.fallocate(reserve.toString(), RESERVE_BYTES)) Files.deleteIfExists(reserve);
        } catch (RuntimeException | IOException e) {
            // no room or no such call: a full disk then fails the write it would have saved
        }
    }

    private static boolean diskFull(IOException e) {
        return String.valueOf(e.getMessage()).contains("No space left on device");
    }

    /** The id of the container that has this name, or null. */
    public String nameOwner(String name) throws IOException {
        if (!Files.isDirectory(names)) rebuildNames();
        Path f = names.resolve(name);
        if (name.isEmpty() || name.contains("/") || !Files.isRegularFile(f)) return null;
        String id = Files.readString(f).trim();
        return Files.isRegularFile(dirOf(id).resolve("state.json")) ? id : null;
    }

    /** Records the name of a container just saved; the caller holds namesLock(). */
    public void claimName(String name, String id) throws IOException {
        if (!Files.isDirectory(names)) rebuildNames();
        AtomicFiles.write(names, names.resolve(name), id.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** A root made before the index existed: index the names once. */
    private void rebuildNames() throws IOException {
        Path tmp = Files.createTempDirectory(dir, ".names-");
        for (ContainerState c : all()) Files.writeString(tmp.resolve(c.name()), c.id());
        try {
            Files.move(tmp, names);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            AtomicFiles.deleteTree(tmp); // another jbox built it meanwhile
        }
    }

    public Path dirOf(String id) { return dir.resolve(id); }

    /** Records a new container: it is there whole (directory and state) or not at all. The caller holds namesLock and claimed its name. */
    public void create(ContainerState s) throws IOException {
        Path tmp = dir.resolve(".new-" + ownerTag() + "-" + s.id());
        Files.createDirectory(tmp);
        boolean moved = false;
        try {
            AtomicFiles.write(tmp, tmp.resolve("state.json"), Json.bytes(s));
            Files.move(tmp, dirOf(s.id()), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } finally {
            if (!moved) AtomicFiles.deleteTree(tmp); // the disk was full, say: nothing is left
        }
    }

    /** Saves a change of an existing container; NoSuchFileException if it was removed meanwhile (a save never brings it back). */
    public void save(ContainerState s) throws IOException {
        Path cdir = dirOf(s.id());
        if (!Files.isDirectory(cdir)) throw new NoSuchFileException(cdir.toString(), null, "the container was removed");
        byte[] json = Json.bytes(s);
        try {
            AtomicFiles.write(cdir, cdir.resolve("state.json"), json);
        } catch (IOException e) {
            if (!diskFull(e) || !Files.deleteIfExists(reserve)) throw e;
            AtomicFiles.write(cdir, cdir.resolve("state.json"), json); // the space kept back for this
        }
    }

    /** This process, as the owner of a half-made or half-removed container directory. */
    private static String ownerTag() {
        int me = jbox.sys.Sys.getpid();
        return me + "." + Processes.startTime(me);
    }

    /**
     * What killed jbox processes left: half-made and half-removed containers of owners that are gone,
     * directories without a state (older jbox versions), and unfinished state writes. Returns what went.
     */
    public List<String> sweep() throws IOException {
        List<String> removed = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(".new-") || n.startsWith(".trash-")) {
                    String[] owner = n.substring(n.indexOf('-') + 1).split("-", 2)[0].split("\\.");
                    boolean alive = owner.length == 2 && Processes.isSame(Integer.parseInt(owner[0]), Long.parseLong(owner[1]));
                    if (alive) continue;
                } else if (n.startsWith(".") || !Files.isDirectory(p) || Files.isRegularFile(p.resolve("state.json"))) {
                    if (Files.isDirectory(p) && !n.startsWith(".")) removePartials(p);
                    continue;
                }
                AtomicFiles.deleteTree(p);
                removed.add(n);
            }
        }
        return removed;
    }

    /** A state write cut off by a kill leaves its temp file: the state itself was never half-written. */
    private static void removePartials(Path cdir) throws IOException {
        try (Stream<Path> s = Files.list(cdir)) {
            for (Path p : s.toList()) if (p.getFileName().toString().endsWith(".partial")) Files.deleteIfExists(p);
        }
    }

    public ContainerState load(String id) throws IOException {
        return Json.read(Files.readAllBytes(dirOf(id).resolve("state.json")), ContainerState.class, "state of container " + id);
    }

    /** Every container whose state could be read, oldest first. */
    public List<ContainerState> all() throws IOException {
        List<ContainerState> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().startsWith(".") || !Files.isRegularFile(p.resolve("state.json"))) continue;
                try {
                    out.add(load(p.getFileName().toString()));
                } catch (NoSuchFileException e) {
                    // removed meanwhile
                }
            }
        }
        out.sort(Comparator.comparing(ContainerState::created));
        return out;
    }

    /** Finds a container by name, full id or unique id prefix, as docker does. */
    public ContainerState find(String nameOrId) throws IOException {
        try {
            String byName = nameOwner(nameOrId);
            if (byName != null) return load(byName);
            if (!nameOrId.isEmpty() && !nameOrId.contains("/") && !nameOrId.startsWith(".") && Files.isRegularFile(dirOf(nameOrId).resolve("state.json"))) {
                return load(nameOrId);
            }
            List<String> prefix;
            try (Stream<Path> s = Files.list(dir)) {
                prefix = s.map(p -> p.getFileName().toString()).filter(id -> !id.startsWith(".") && id.startsWith(nameOrId)).toList();
            }
            if (prefix.size() == 1 && !nameOrId.isEmpty()) return load(prefix.get(0));
            if (prefix.size() > 1) throw new IllegalArgumentException("multiple containers match the id prefix " + nameOrId + ": use more of the id");
        } catch (NoSuchFileException e) {
            // removed meanwhile
        }
        throw new NoSuchContainerException(nameOrId);
    }

    /**
     * A lock for one container (state changes); another for names (creation). NoSuchFileException
     * when the container was removed meanwhile: locking must not bring its directory back.
     */
    public FileLock lock(String id) throws IOException { return FileLock.acquire(dirOf(id).resolve("lock"), false); }

    public FileLock namesLock() throws IOException { return FileLock.acquire(dir.resolve(".names.lock")); }

    /** Removes the container: first out of sight in one rename, then its name, then its files. */
    public void delete(String id) throws IOException {
        String name = null;
        try {
            name = load(id).name();
        } catch (NoSuchFileException e) {
            // no state (a failed create): no name either
        }
        Path trash = dir.resolve(".trash-" + ownerTag() + "-" + id);
        try {
            Files.move(dirOf(id), trash, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return; // removed meanwhile
        }
        if (name != null) {
            Path f = names.resolve(name);
            if (Files.isRegularFile(f) && Files.readString(f).trim().equals(id)) Files.deleteIfExists(f);
        }
        AtomicFiles.deleteTree(trash);
    }
}
