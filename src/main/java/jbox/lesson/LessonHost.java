package jbox.lesson;

import jbox.cgroup.Cgroups;
import jbox.sys.Places;
import jbox.sys.Sys;

import java.io.IOException;

/**
 * What a lesson's `requires` asks of the host, and why a host without it cannot take the lesson:
 * `root` (jbox can make namespaces: root, or a user in jbox's own user namespace), `network-devices`
 * (veth pairs and bridges in the host's network namespace, which only real root may make) and
 * `cgroups` (cgroup files jbox may write: root, or a subtree the host delegates to the user).
 */
final class LessonHost {
    private LessonHost() {}

    /** Why this host cannot take the lesson, or null when it can. */
    static String lacks(Lesson lesson) {
        if (lesson.requires().contains("root") && !Sys.isRoot()) return "it needs root: run with sudo";
        if (lesson.requires().contains("network-devices") && Places.rootless()) {
            return "it makes network devices on the host (a veth pair), which only root may, and jbox runs without root here";
        }
        if (lesson.requires().contains("cgroups")) {
            try {
                Cgroups.Unavailable why = Cgroups.detect().unavailable();
                if (why != null) return "it uses cgroups, and " + why.cause() + " (" + why.fix() + ")";
            } catch (IOException e) {
                return "it uses cgroups, and jbox cannot read this host's cgroups: " + e.getMessage();
            }
        }
        return null;
    }
}
