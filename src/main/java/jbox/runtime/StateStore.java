package jbox.runtime;


import jbox.io.AtomicFiles;
import jbox.io.FileLock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The engine's containers on disk: a {@link RecordStore} under ROOT/containers, and an index of
 * names (containers/.names/NAME holds the id), so finding a container by name or id and checking
 * that a name is free read one file, not every container's state.
 */
public final class StateStore {
    private final RecordStore<ContainerState> records;
    private final Path dir;
    private final Path names;

    public StateStore(Path jboxRoot) throws IOException {
        this.dir = jboxRoot.resolve("containers");
        this.records = new RecordStore<>(dir, ContainerState.class, "container");
        this.names = dir.resolve(".names");
    }

    /** Makes the reserve if it is missing and the disk has room; without room it is made on a later try. */
    public void keepReserve() { records.keepReserve(); }

    /** The id of the container that has this name, or null. */
    public String nameOwner(String name) throws IOException {
        if (!Files.isDirectory(names)) rebuildNames();
        Path f = names.resolve(name);
        if (name.isEmpty() || name.contains("/") || !Files.isRegularFile(f)) return null;
        String id = Files.readString(f).trim();
        return records.exists(id) ? id : null;
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

    public Path dirOf(String id) { return records.dirOf(id); }

    /** Records a new container: it is there whole (directory and state) or not at all. The caller holds namesLock and claimed its name. */
    public void create(ContainerState s) throws IOException { records.create(s.id(), s); }

    /** Saves a change of an existing container; NoSuchFileException if it was removed meanwhile (a save never brings it back). */
    public void save(ContainerState s) throws IOException { records.save(s.id(), s); }

    /**
     * What killed jbox processes left half-made or half-removed. Returns what went.
     *
     * @param retired undoes what else a half-removed container holds, given its last state (its cgroup)
     */
    public List<String> sweep(java.util.function.Consumer<ContainerState> retired) throws IOException { return records.sweep(retired); }

    public ContainerState load(String id) throws IOException { return records.load(id); }

    /** Every container whose state could be read, oldest first. */
    public List<ContainerState> all() throws IOException {
        List<ContainerState> out = new ArrayList<>(records.all());
        out.sort(Comparator.comparing(ContainerState::created));
        return out;
    }

    /** Finds a container by name, full id or unique id prefix, as docker does. */
    public ContainerState find(String nameOrId) throws IOException {
        try {
            String byName = nameOwner(nameOrId);
            if (byName != null) return load(byName);
            if (!nameOrId.isEmpty() && !nameOrId.contains("/") && !nameOrId.startsWith(".") && records.exists(nameOrId)) return load(nameOrId);
            List<String> prefix = nameOrId.isEmpty() ? List.of() : records.ids().stream().filter(id -> id.startsWith(nameOrId)).toList();
            if (prefix.size() == 1) return load(prefix.get(0));
            if (prefix.size() > 1) throw new IllegalArgumentException("multiple containers match the id prefix " + nameOrId + ": use more of the id");
        } catch (NoSuchFileException e) {
            // removed meanwhile
        }
        throw new NoSuchContainerException(nameOrId);
    }

    /** A lock for one container's changes (NoSuchFileException once it is removed); another for names (creation). */
    public FileLock lock(String id) throws IOException { return records.lock(id); }

    public FileLock namesLock() throws IOException { return FileLock.acquire(dir.resolve(".names.lock")); }

    /**
     * Takes the container out of sight: its directory in one rename (see {@link RecordStore#retire}),
     * then its name. Returns where its files now are, for the caller to remove, or null if it was gone.
     */
    public Path retire(ContainerState s) throws IOException {
        Path trash = records.retire(s.id());
        if (trash == null) return null;
        Path f = names.resolve(s.name());
        if (Files.isRegularFile(f) && Files.readString(f).trim().equals(s.id())) Files.deleteIfExists(f);
        return trash;
    }
}
