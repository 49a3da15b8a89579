package jbox.cgroup;

import java.nio.file.Path;
import java.util.Set;

/** One mounted cgroup tree: a v1 tree holds the controllers named in its mount options, the v2 tree those in cgroup.controllers. */
record Hierarchy(Path mount, boolean unified, Set<String> controllers) {}
