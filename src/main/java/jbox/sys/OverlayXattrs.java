package jbox.sys;

/**
 * Overlayfs keeps an opaque directory's mark in an xattr: trusted.overlay.opaque as root. An overlay
 * mounted in a user namespace (jbox without root) may not touch trusted.* and uses user.overlay.*
 * instead, when mounted with "userxattr" (Linux 5.11); without it, removing a lower directory fails with EIO.
 */
public final class OverlayXattrs {
    private OverlayXattrs() {}

    public static String opaque() { return (Places.rootless() ? "user" : "trusted") + ".overlay.opaque"; }

    /** Appended to the overlay mount's options. */
    public static String mountOption() { return Places.rootless() ? ",userxattr" : ""; }
}
