package jbox.runtime;

import jbox.io.AtomicFiles;
import jbox.io.FileLock;
import jbox.io.Json;
import jbox.sys.Processes;
import jbox.sys.Sys;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Records of containers on disk, one directory each (DIR/ID/state.json, written atomically, and
 * DIR/ID/lock): the engine's containers and jbox-runc's alike.
 *
 * <p>A jbox can be killed at any instruction, so a record appears and disappears in one rename:
 * it is made as .new-OWNER-ID and renamed to ID (which fails if ID exists), and removed by
 * renaming ID to .trash-OWNER-ID before anything else. What a killed jbox leaves in between carries
 * its owner's pid and start time, and {@link #sweep} removes it once that process is gone.
 */
public final class RecordStore<T> {
    /**
     * Disk space kept back for recording what containers do. A container that fills the disk must
     * not stop jbox from recording its exit, or a stop, kill or removal: those are how a user frees
     * space. The reserve is given up for such a write, and made again when there is room.
     */
    static final long RESERVE_BYTES = 4L << 20;

    private final Path dir;
    private final Class<T> type;
    private final String what;
    private final Path reserve;

    /** @param what how an error names one record: "container" */
    public RecordStore(Path dir, Class<T> type, String what) throws IOException {
        this.dir = dir;
        this.type = type;
        this.what = what;
        this.reserve = dir.resolve(".reserve");
        Files.createDirectories(dir);
    }

    public Path dir() { return dir; }

    public Path dirOf(String id) { return dir.resolve(id); }

    public boolean exists(String id) { return Files.isRegularFile(dirOf(id).resolve("state.json")); }

    /** Makes the reserve if it is missing and the disk has room; without room it is made on a later try. */
    public void keepReserve() {
        if (Files.exists(reserve)) return;
        try {
            if (!Sys.fallocate(reserve.toString(), RESERVE_BYTES)) Files.deleteIfExists(reserve);
        } catch (RuntimeException | IOException e) {
            // no room or no such call: a full disk then fails the write it would have saved
        }
    }

    /**
     * Records a new one: it is there whole (directory and state) or not at all.
     *
     * @throws FileAlreadyExistsException if a record with this id exists
     */
    public void create(String id, T record) throws IOException {
        Path tmp = dir.resolve(".new-" + ownerTag() + "-" + id);
        Files.createDirectory(tmp);
        boolean moved = false;
        try {
            AtomicFiles.write(tmp, tmp.resolve("state.json"), Json.bytes(record));
            try {
                // rename(2) onto an existing record (a directory with its state) fails: two creates of one id, one wins.
                Files.move(tmp, dirOf(id), StandardCopyOption.ATOMIC_MOVE);
            } catch (DirectoryNotEmptyException | FileAlreadyExistsException e) {
                throw new FileAlreadyExistsException(dirOf(id).toString(), null, what + " " + id + " exists");
            } catch (FileSystemException e) {
                if (exists(id)) throw new FileAlreadyExistsException(dirOf(id).toString(), null, what + " " + id + " exists");
                throw e;
            }
            moved = true;
        } finally {
            if (!moved) AtomicFiles.deleteTree(tmp); // the disk was full, say: nothing is left
        }
    }

    /** Saves a change; NoSuchFileException if the record was removed meanwhile (a save never brings it back). */
    public void save(String id, T record) throws IOException {
        Path rdir = dirOf(id);
        if (!Files.isDirectory(rdir)) throw new NoSuchFileException(rdir.toString(), null, "the " + what + " was removed");
        byte[] json = Json.bytes(record);
        try {
            AtomicFiles.write(rdir, rdir.resolve("state.json"), json);
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left on device") || !Files.deleteIfExists(reserve)) throw e;
            AtomicFiles.write(rdir, rdir.resolve("state.json"), json); // the space kept back for this
        }
    }

    public T load(String id) throws IOException { return read(dirOf(id), id); }

    /** The state in a record's directory (named in errors as name). */
    private T read(Path rdir, String name) throws IOException {
        return Json.read(Files.readAllBytes(rdir.resolve("state.json")), type, "state of " + what + " " + name);
    }

    /** The ids of every record, in no order. */
    public List<String> ids() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".") && exists(n)).toList();
        }
    }

    /** Every record that could be read. */
    public List<T> all() throws IOException {
        List<T> out = new ArrayList<>();
        for (String id : ids()) {
            try {
                out.add(load(id));
            } catch (NoSuchFileException e) {
                // removed meanwhile
            }
        }
        return out;
    }

    /**
     * A lock for one record's changes. NoSuchFileException when it was removed meanwhile: locking
     * must not bring its directory back.
     */
    public FileLock lock(String id) throws IOException { return FileLock.acquire(dirOf(id).resolve("lock"), false); }

    /** Removes a record: first out of sight in one rename, then its files. False if it was not there. */
    public boolean delete(String id) throws IOException {
        Path trash = retire(id);
        if (trash == null) return false;
        AtomicFiles.deleteTree(trash);
        return true;
    }

    /**
     * Takes a record out of sight in one rename, to .trash-OWNER-ID, whose files the caller then
     * removes (AtomicFiles.deleteTree), at once or later. Returns that directory, or null if the
     * record was not there. Should this process die first, {@link #sweep} finishes the removal.
     */
    public Path retire(String id) throws IOException {
        Path trash = dir.resolve(".trash-" + ownerTag() + "-" + id);
        try {
            Files.move(dirOf(id), trash, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return null; // removed meanwhile
        }
        return trash;
    }

    /** This process, as the owner of a half-made or half-removed directory. */
    private static String ownerTag() {
        int me = Sys.getpid();
        return me + "." + Processes.startTime(me);
    }

    /**
     * What killed jbox processes left: half-made and half-removed records of owners that are gone,
     * directories without a state (older jbox versions), and unfinished state writes. Returns what went.
     *
     * @param retired what else a half-removed record's removal must undo, given its last state (a
     *     container's cgroup); if that throws, the record stays for a later sweep
     */
    public List<String> sweep(java.util.function.Consumer<T> retired) throws IOException {
        List<String> removed = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(".new-") || n.startsWith(".trash-")) {
                    String[] owner = n.substring(n.indexOf('-') + 1).split("-", 2)[0].split("\\.");
                    boolean alive = owner.length == 2 && Processes.isSame(Integer.parseInt(owner[0]), Long.parseLong(owner[1]));
                    if (alive) continue;
                    if (n.startsWith(".trash-") && !finish(p, retired)) continue;
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

    /** Undoes what else a retired record holds; false if that failed (said on stderr: the daemon's log, a command's error output). */
    private boolean finish(Path trash, java.util.function.Consumer<T> retired) {
        T last;
        try {
            last = read(trash, trash.getFileName().toString());
        } catch (IOException | RuntimeException e) {
            return true; // no state: nothing else was made
        }
        try {
            retired.accept(last);
            return true;
        } catch (RuntimeException e) {
            System.err.println(jbox.text.Say.t("removal.unfinished", trash.getFileName(), e.getMessage()));
            return false;
        }
    }

    /** A state write cut off by a kill leaves its temp file: the state itself was never half-written. */
    private static void removePartials(Path rdir) throws IOException {
        try (Stream<Path> s = Files.list(rdir)) {
            for (Path p : s.toList()) if (p.getFileName().toString().endsWith(".partial")) Files.deleteIfExists(p);
        }
    }
}
