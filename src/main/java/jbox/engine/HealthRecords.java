package jbox.engine;



import jbox.runtime.StateStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The engine's what the daemon's health checks found, on disk next to the container. */
public final class HealthRecords {
    private final Engine engine;
    private final StateStore containers;

    HealthRecords(Engine engine) {
        this.engine = engine;
        this.containers = engine.containers();
    }

    /** What the daemon's health checks found (containers/ID/health.json), or null when it has none. */
    public jbox.runtime.Health.State healthState(String id) {
        java.nio.file.Path f = containers.dirOf(id).resolve("health.json");
        try {
            return java.nio.file.Files.isRegularFile(f)
                    ? jbox.io.Json.read(java.nio.file.Files.readAllBytes(f), jbox.runtime.Health.State.class, "health of " + id) : null;
        } catch (IOException e) {
            return null; // removed meanwhile
        }
    }

    /** Records a check's result; a change of status is docker's health_status event. */
    public void saveHealth(String id, jbox.runtime.Health.State state) throws IOException {
        jbox.runtime.Health.State before = healthState(id);
        if (before == null || !before.status().equals(state.status())) {
            try {
                engine.events().container(containers.load(id), "health_status: " + state.status(), java.util.Map.of());
            } catch (java.nio.file.NoSuchFileException e) {
                return; // removed meanwhile
            }
        }
        java.nio.file.Path dir = containers.dirOf(id);
        if (java.nio.file.Files.isDirectory(dir)) jbox.io.AtomicFiles.write(dir, dir.resolve("health.json"), jbox.io.Json.bytes(state));
    }
}
