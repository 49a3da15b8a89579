package jbox.linux;

import jbox.sys.Linux;
import jbox.sys.NamespaceHolder;
import jbox.sys.NativeHelper;
import jbox.sys.Sys;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * A container's user namespace, held by a descriptor. The kernel lets only a single-threaded
 * process create or join one, so jbox-ns (src/main/c/ns.c) does both: {@code hold} makes
 * it, and jbox writes its uid and gid maps from outside; {@code enter} is what the container's first
 * process execs at once: it joins the namespace, waits at the start gate, and takes the container's
 * credentials inside before it execs the program.
 * The container's other namespaces are made by jbox's start thread as without one, so they belong
 * to the host's user namespace: root inside holds its capabilities over what its user namespace
 * owns (its files, through the maps), not over its mounts, network or host name.
 */
public final class UserNamespace implements AutoCloseable {
    private static final String PURPOSE = "it makes and enters the user namespace a config.json asks for, which a multithreaded JVM cannot";

    /** One line of /proc/PID/uid_map or gid_map: count ids from inside on, seen from outside from outside on. */
    public record IdMap(long inside, long outside, long count) {
        /** Whether an id inside is mapped. */
        public static boolean maps(List<IdMap> maps, long id) {
            return maps.stream().anyMatch(m -> id >= m.inside && id < m.inside + m.count);
        }
    }

    private final int fd;
    private final String description;

    private UserNamespace(int fd, String description) {
        this.fd = fd;
        this.description = description;
    }

    /** A new user namespace with these maps. */
    public static UserNamespace create(List<IdMap> uids, List<IdMap> gids) {
        try (NamespaceHolder holder = NamespaceHolder.start("user", PURPOSE)) {
            if (!holder.unshare()) {
                throw new IllegalStateException("cannot make a user namespace: jbox-ns could not (its error is above)."
                        + " A kernel with user.max_user_namespaces at 0 refuses them: see sysctl user.max_user_namespaces");
            }
            writeMap(holder.pid(), "uid_map", uids);
            writeMap(holder.pid(), "gid_map", gids);
            return new UserNamespace(holder.open(), "uids " + text(uids).replace('\n', ';') + " gids " + text(gids).replace('\n', ';'));
        }
    }

    /**
     * An existing user namespace (config.json's path to one). Its type is checked here: the container's
     * process joins it only after its spawn, where a wrong one would end that process, not the create.
     */
    public static UserNamespace join(String path) {
        int fd = Sys.open(path, Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
        if (Sys.namespaceType(fd) != Linux.CLONE_NEWUSER) {
            Sys.close(fd);
            throw new IllegalStateException(path + " is not a user namespace (it names a namespace of another kind, or none): "
                    + "give the path of a user namespace, such as /proc/PID/ns/user");
        }
        return new UserNamespace(fd, path);
    }

    /** The maps as the kernel takes them: one write of every line. */
    private static void writeMap(int pid, String file, List<IdMap> maps) {
        byte[] text = text(maps).getBytes(StandardCharsets.US_ASCII);
        int f = Sys.open("/proc/" + pid + "/" + file, Linux.O_WRONLY | Linux.O_CLOEXEC, 0);
        try {
            Sys.writeAll(f, text, text.length);
        } finally {
            Sys.close(f);
        }
    }

    private static String text(List<IdMap> maps) {
        StringBuilder b = new StringBuilder();
        for (IdMap m : maps) b.append(m.inside).append(' ').append(m.outside).append(' ').append(m.count).append('\n');
        return b.toString();
    }

    public int fd() { return fd; }

    /** jbox-ns itself, for the container's process to exec by a descriptor. */
    public static Path stage() { return NativeHelper.find("jbox-ns", PURPOSE); }

    /** Where the container's first process finds what jbox-ns enter needs (descriptors it holds, paths in the container). */
    public record Stage(int selfFd, int nsFd, int gateDirFd, int gateFd, int filterFd, String tty, String workDir) {}

    /**
     * A spawn whose program is jbox-ns enter (a container's first process, or an exec into its user
     * namespace): the namespace, jbox-ns itself, the seccomp filter and the gate's directory, copied
     * above everything now and moved by the spawn to gateFd+1 .. gateFd+4, the gate at gateFd.
     */
    public static final class Staging implements AutoCloseable {
        private final int[] fds;
        private final Stage stage;

        /** nsFd: the user namespace to join (not taken over), -1 for none; filter: null for none. */
        public Staging(int nsFd, Seccomp filter, int gateDirFd, int gateFd, String tty, String workDir) {
            int lowest = gateFd + 5;
            fds = new int[]{nsFd < 0 ? -1 : Sys.dupAbove(nsFd, lowest), -1, -1, Sys.dupAbove(gateDirFd, lowest)};
            try {
                int self = Sys.open(stage().toString(), Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
                try {
                    fds[1] = Sys.dupAbove(self, lowest);
                } finally {
                    Sys.close(self);
                }
                if (filter != null) {
                    int code = filter.toMemfd();
                    try {
                        fds[2] = Sys.dupAbove(code, lowest);
                    } finally {
                        Sys.close(code);
                    }
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
            stage = new Stage(gateFd + 2, fds[0] < 0 ? -1 : gateFd + 1, gateFd + 4, gateFd, fds[2] < 0 ? -1 : gateFd + 3, tty, workDir);
        }

        /** The spawn of jbox-ns enter, by its descriptor (nothing of it in the container's root), for program with argv. */
        public jbox.sys.Spawn spawn(Credentials c, User user, String program, List<String> argv, List<String> env) {
            return new jbox.sys.Spawn("/proc/self/fd/" + stage.selfFd(), enterArgs(stage, c, user, program, argv), env);
        }

        /** After the stdio actions: the descriptors moved to their numbers, every other one closed. */
        public void placeDescriptors(jbox.sys.Spawn spawn) {
            if (fds[0] >= 0) spawn.dup2(fds[0], stage.nsFd());
            spawn.dup2(fds[1], stage.selfFd()).dup2(fds[3], stage.gateDirFd());
            if (fds[2] >= 0) spawn.dup2(fds[2], stage.filterFd());
            spawn.closeFrom(stage.gateFd() + 5);
        }

        @Override
        public void close() {
            for (int fd : fds) if (fd >= 0) Sys.close(fd);
        }
    }

    /**
     * The container's first process's command line: jbox-ns enter, the descriptors and paths of
     * the stage, the credentials, then the program and its argv (see src/main/c/ns.c).
     */
    public static List<String> enterArgs(Stage s, Credentials c, User user, String program, List<String> argv) {
        List<String> out = new ArrayList<>(List.of("jbox-ns", "enter", String.valueOf(s.selfFd()), s.nsFd() < 0 ? "-" : String.valueOf(s.nsFd()),
                String.valueOf(s.gateDirFd()), String.valueOf(s.gateFd()), s.tty() == null ? "-" : s.tty(), s.workDir(),
                String.valueOf(user.uid()), String.valueOf(user.gid())));
        StringJoiner groups = new StringJoiner(",");
        for (int g : user.groups()) groups.add(String.valueOf(g));
        out.add(groups.length() == 0 ? "-" : groups.toString());
        out.add(Long.toHexString(c.bounding()));
        out.add(Long.toHexString(c.inheritable()));
        out.add(Long.toHexString(c.ambient()));
        out.add(c.noNewPrivileges() ? "1" : "0");
        out.add(c.umask() == null ? "-" : Integer.toOctalString(c.umask()));
        out.add(s.filterFd() < 0 ? "-" : String.valueOf(s.filterFd()));
        out.add(String.valueOf(c.seccomp() == null ? 0 : c.seccomp().flags()));
        out.add(program);
        out.addAll(argv);
        return out;
    }

    @Override
    public void close() { Sys.close(fd); }

    @Override
    public String toString() { return "user namespace (" + description + ")"; }
}
