package jbox.sys;

import java.util.StringJoiner;

import static jbox.sys.Linux.*;

/** Mount flags as the names a learner finds in mount(2). */
final class MountFlags {
    private MountFlags() {}

    private static final long[] FLAGS = {MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_NOATIME, MS_BIND,
            MS_MOVE, MS_REC, MS_PRIVATE, MS_SLAVE, MS_RELATIME, MS_STRICTATIME};
    private static final String[] NAMES = {"MS_RDONLY", "MS_NOSUID", "MS_NODEV", "MS_NOEXEC", "MS_REMOUNT", "MS_NOATIME",
            "MS_BIND", "MS_MOVE", "MS_REC", "MS_PRIVATE", "MS_SLAVE", "MS_RELATIME", "MS_STRICTATIME"};

    static String names(long flags) {
        StringJoiner j = new StringJoiner("|");
        for (int i = 0; i < FLAGS.length; i++) if ((flags & FLAGS[i]) != 0) j.add(NAMES[i]);
        return j.length() == 0 ? "0" : j.toString();
    }
}
