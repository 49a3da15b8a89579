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

/** Containers on disk: one directory each under ROOT/containers, state.json written atomically. */
public final class StateStore {
    private final Path dir;

    public StateStore(Path jboxRoot) throws IOException {
        this.dir = jboxRoot.resolve("containers");
        Files.createDirectories(dir);
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
                if (!Files.isRegularFile(p.resolve("state.json"))) continue;
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
        List<ContainerState> all = all();
        for (ContainerState c : all) if (c.name().equals(nameOrId) || c.id().equals(nameOrId)) return c;
        List<ContainerState> prefix = all.stream().filter(c -> c.id().startsWith(nameOrId)).toList();
        if (prefix.size() == 1 && !nameOrId.isEmpty()) return prefix.get(0);
        if (prefix.size() > 1) throw new IllegalArgumentException("multiple containers match the id prefix " + nameOrId + ": use more of the id");
        throw new NoSuchContainerException(nameOrId);
    }

    /**
     * A lock for one container (state changes); another for names (creation). NoSuchFileException
     * when the container was removed meanwhile: locking must not bring its directory back.
     */
    public FileLock lock(String id) throws IOException { return FileLock.acquire(dirOf(id).resolve("lock"), false); }

    public FileLock namesLock() throws IOException { return FileLock.acquire(dir.resolve(".names.lock")); }

    public void delete(String id) throws IOException { AtomicFiles.deleteTree(dirOf(id)); }
}
