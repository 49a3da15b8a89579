package jbox.engine;


import jbox.sys.Failure;

import jbox.runtime.ContainerState;
import jbox.runtime.Names;
import jbox.runtime.StateStore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The engine's named and anonymous volumes as docker volume manages them: create, who uses one, removal, prune. */
public final class VolumeService {
    private final Engine engine;
    private final StateStore containers;
    private final Volumes volumes;

    VolumeService(Engine engine) {
        this.engine = engine;
        this.containers = engine.containers();
        this.volumes = engine.volumes();
    }

    /** The containers (names) that mount this volume. */
    public List<String> volumeUsers(String name) {
        List<String> users = new ArrayList<>();
        try {
            for (ContainerState c : containers.all()) {
                for (jbox.linux.Storage.Mount m : c.mounts().mounts()) {
                    if (m.type() == jbox.linux.Storage.Type.VOLUME && m.source().equals(name)) users.add(c.name());
                }
            }
        } catch (IOException e) {
            throw Errors.explain(e, "cannot read the containers");
        }
        return users;
    }

    public Volumes.Volume createVolume(String name, java.util.Map<String, String> labels) {
        try {
            Volumes.Volume v = volumes.ensure(name == null || name.isEmpty() ? Names.newId() : name, labels, name == null || name.isEmpty());
            engine.events().emit("volume", "create", v.name(), Events.attrs("driver", "local"));
            return v;
        } catch (IOException e) {
            throw Errors.explain(e, "cannot create volume " + name);
        }
    }

    /** docker volume rm: refused while a container uses it (even a stopped one), as docker does. */
    public void removeVolume(String name, boolean force) {
        try {
            volumes.get(name);
            List<String> users = volumeUsers(name);
            if (!users.isEmpty()) {
                throw new Failure("remove " + name + ": volume is in use - " + users, "a container mounts it (stopped ones count too)",
                        "remove the container first (jbox rm " + users.get(0) + "), then the volume").httpStatus(409);
            }
            volumes.delete(name);
            engine.events().emit("volume", "destroy", name, Events.attrs("driver", "local"));
        } catch (IOException e) {
            throw Errors.explain(e, "cannot remove volume " + name);
        }
    }

    /** docker volume prune: the unused anonymous volumes, or all unused ones with all. Returns their names. */
    public List<String> pruneVolumes(boolean all, java.util.function.Predicate<Volumes.Volume> which) {
        List<String> removed = new ArrayList<>();
        try {
            for (Volumes.Volume v : volumes.list()) {
                if ((all || v.anonymous()) && which.test(v) && volumeUsers(v.name()).isEmpty()) {
                    volumes.delete(v.name());
                    engine.events().emit("volume", "destroy", v.name(), Events.attrs("driver", "local"));
                    removed.add(v.name());
                }
            }
        } catch (IOException e) {
            throw Errors.explain(e, "cannot prune volumes");
        }
        return removed;
    }
}
