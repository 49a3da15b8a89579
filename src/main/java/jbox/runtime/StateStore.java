package jbox.runtime;

import jbox.image.AtomicFiles;
import jbox.image.FileLock;
import jbox.image.Json;

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
 */
public final class StateStore {
    private final Path dir;
    private final Path names;

    public StateStore(Path jboxRoot) throws IOException {
        this.dir = jboxRoot.resolve("containers");
        this.names = dir.resolve(".names");
        Files.createDirectories(dir);
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

    public void save(ContainerState s) throws IOException {
        Path cdir = dirOf(s.id());
        AtomicFiles.write(cdir, cdir.resolve("state.json"), Json.bytes(s));
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

    /** Removes the container's directory and its name. */
    public void delete(String id) throws IOException {
        try {
            String name = load(id).name();
            Path f = names.resolve(name);
            if (Files.isRegularFile(f) && Files.readString(f).trim().equals(id)) Files.deleteIfExists(f);
        } catch (NoSuchFileException e) {
            // no state (a failed create): no name either
        }
        AtomicFiles.deleteTree(dirOf(id));
    }
}
