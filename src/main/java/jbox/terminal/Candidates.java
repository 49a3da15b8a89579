package jbox.terminal;



import jbox.engine.Engine;
import jbox.image.Image;
import jbox.runtime.ContainerState;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Tab-completion candidates that come from the engine's state: image and container names. */
public final class Candidates {
    private Candidates() {}

    /** Names of the images in the store, plus the bundled ones. */
    public static final class Images implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> out = new ArrayList<>();
            try {
                Engine e = Engine.open();
                for (Image i : e.images().list()) if (i.reference() != null) out.add(i.reference().familiarRepository());
                for (String b : e.bundled().names()) {
                    String repo = b.substring(0, b.indexOf(':'));
                    if (!out.contains(repo)) out.add(repo);
                }
            } catch (Exception ignored) {
                // no completion rather than an error while typing
            }
            return out.iterator();
        }
    }

    /** Names of all containers. */
    public static final class Containers implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> out = new ArrayList<>();
            try {
                for (ContainerState c : Engine.open().containers().all()) out.add(c.name());
            } catch (Exception ignored) {
                // no completion rather than an error while typing
            }
            return out.iterator();
        }
    }
}
