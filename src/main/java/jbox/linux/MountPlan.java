package jbox.linux;

import java.nio.file.Path;

/** A user mount with its host side: the host path (bind), the volume's data (volume), none (tmpfs); seed fills a new volume. */
public record MountPlan(Storage.Mount mount, Path source, boolean seed) {}
