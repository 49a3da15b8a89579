/*
 * jbox-ns: the namespace work a multithreaded JVM cannot do, done by a single-threaded process
 * (runc's nsexec does the same before Go starts its threads).
 *
 *   jbox-ns hold cgroup|user
 *     Reads one byte, unshares that namespace, writes "y" (or "n", the reason on stderr), then holds
 *     it until stdin ends; jbox opens /proc/PID/ns/KIND meanwhile.
 *     cgroup: a cgroup namespace is rooted where its maker stands, and on cgroup v2 a JVM thread
 *     cannot stand in a cgroup alone; jbox moves this process into the container's cgroup first.
 *     user: only a single-threaded process may create a user namespace; jbox writes its uid_map and
 *     gid_map from outside before it opens it.
 *
 *   jbox-ns enter SELFFD NSFD GATEDIRFD GATEFD TTY WORKDIR UID GID GROUPS BOUNDING INHERITABLE AMBIENT NNP UMASK
 *                     FILTERFD FILTERFLAGS PROGRAM ARGV0 ARG...
 *     Is what the container's first process execs at once (jbox passes this file as descriptor
 *     SELFFD, so nothing of it is in the container's root). It joins the user namespace NSFD ("-":
 *     none, for a process that jbox-runc's front forked), so the created container is in it, then waits at its start gate (the FIFO "gate" in GATEDIRFD, opened
 *     as descriptor GATEFD, close-on-exec: its end tells jbox the program was exec'd). Once started it
 *     opens its terminal (TTY, "-" for none), enters WORKDIR, takes the container's credentials as
 *     jbox's start thread does outside a user namespace (bounding set, keep-caps, groups, gid, uid,
 *     capabilities, ambient set, no_new_privs, umask), loads the seccomp filter read from FILTERFD
 *     (classic BPF, last) and execs PROGRAM. GROUPS is a comma list ("-" for none); the capability
 *     sets are hex masks; UMASK is octal or "-"; FILTERFD is "-" for no filter.
 *
 *   jbox-ns rootless RUNDIR PROGRAM ARG...
 *     Is how ./jbox starts jbox for a user without root (podman's rootless mode does the same): it
 *     execs PROGRAM (the JVM) as uid 0 of the user's jbox user namespace, with a mount namespace of
 *     its own. The namespaces are held by one small process per user, "jbox-userns" (RUNDIR/userns.pid),
 *     made by the first jbox and joined by every later one, so all of a user's jbox processes and
 *     containers share them and can reach each other. Its uid_map is 0 -> the user, then the user's
 *     /etc/subuid range from 1 (newuidmap, newgidmap); with no range, only 0 -> the user. The holder
 *     ends once no process is left in its namespace; RUNDIR/userns.lock keeps a joiner from meeting a
 *     holder that is ending.
 *
 * Errors go to stderr (the container's, for enter) as "jbox-ns: STEP: REASON", with exit status 127.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <dirent.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void fail(const char *step) {
    fprintf(stderr, "jbox-ns: %s: %s\n", step, strerror(errno));
    exit(127);
}

static int hold(const char *kind) {
    int flag = strcmp(kind, "cgroup") == 0 ? CLONE_NEWCGROUP : strcmp(kind, "user") == 0 ? CLONE_NEWUSER : 0;
    if (!flag) {
        fprintf(stderr, "jbox-ns: hold cgroup or user, not %s\n", kind);
        return 127;
    }
    char c;
    if (read(0, &c, 1) != 1) return 1;
    if (unshare(flag) != 0) {
        fprintf(stderr, "jbox-ns: unshare(CLONE_NEW%s): %s\n", flag == CLONE_NEWUSER ? "USER" : "CGROUP", strerror(errno));
        (void) !write(1, "n", 1);
        return 1;
    }
    if (write(1, "y", 1) != 1) return 1;
    while (read(0, &c, 1) > 0) {}
    return 0;
}

static int last_cap(void) {
    FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
    int last = 40;
    if (f) {
        if (fscanf(f, "%d", &last) != 1) last = 40;
        fclose(f);
    }
    return last;
}

static void load_filter(int fd, unsigned int flags) {
    struct stat st;
    if (fstat(fd, &st) != 0) fail("fstat(seccomp filter)");
    struct sock_filter *code = malloc(st.st_size > 0 ? st.st_size : 1);
    if (!code) fail("malloc");
    if (pread(fd, code, st.st_size, 0) != st.st_size) fail("read(seccomp filter)");
    close(fd);
    struct sock_fprog prog = {.len = (unsigned short) (st.st_size / sizeof(struct sock_filter)), .filter = code};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) != 0) fail("seccomp(SECCOMP_SET_MODE_FILTER)");
}

static int enter(int argc, char **argv) {
    if (argc < 20) {
        fprintf(stderr, "jbox-ns: enter needs SELFFD NSFD GATEDIRFD GATEFD TTY WORKDIR UID GID GROUPS BOUNDING INHERITABLE AMBIENT NNP UMASK"
                        " FILTERFD FILTERFLAGS PROGRAM ARGV0 ARG...\n");
        return 127;
    }
    close(atoi(argv[2]));
    int nsfd = strcmp(argv[3], "-") == 0 ? -1 : atoi(argv[3]), gatedir = atoi(argv[4]), gatefd = atoi(argv[5]);
    const char *tty = argv[6], *workdir = argv[7];
    uid_t uid = (uid_t) strtoul(argv[8], NULL, 10);
    gid_t gid = (gid_t) strtoul(argv[9], NULL, 10);
    uint64_t bounding = strtoull(argv[11], NULL, 16), inheritable = strtoull(argv[12], NULL, 16), ambient = strtoull(argv[13], NULL, 16);
    int nnp = strcmp(argv[14], "1") == 0;
    int filterfd = strcmp(argv[16], "-") == 0 ? -1 : atoi(argv[16]);
    unsigned int filterflags = (unsigned int) strtoul(argv[17], NULL, 10);

    if (nsfd >= 0) {
        if (setns(nsfd, CLONE_NEWUSER) != 0) fail("setns(CLONE_NEWUSER)");
        close(nsfd);
    }
    // Still the host's uid 0 for files: the gate (jbox's, mode 0600) and the terminal open before the uid changes.
    int gate = openat(gatedir, "gate", O_WRONLY | O_CLOEXEC);
    if (gate < 0) fail("open(gate)");
    if (gate != gatefd && (dup3(gate, gatefd, O_CLOEXEC) < 0 || close(gate) != 0)) fail("dup3(gate)");
    close(gatedir);
    if (strcmp(tty, "-") != 0) {
        int t = open(tty, O_RDWR);
        if (t < 0) fail("open(terminal)");
        if (dup2(t, 0) < 0 || dup2(t, 1) < 0 || dup2(t, 2) < 0) fail("dup2(terminal)");
        if (t > 2) close(t);
    }
    if (chdir(workdir) != 0) fail("chdir");
    if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("prctl(PR_SET_NO_NEW_PRIVS)");
    int last = last_cap();
    for (int cap = 0; cap <= last; cap++) {
        if (bounding & (1ULL << cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) fail("prctl(PR_CAPBSET_DROP)");
    }
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) fail("prctl(PR_SET_KEEPCAPS)");
    gid_t groups[256];
    int ngroups = 0;
    if (strcmp(argv[10], "-") != 0) {
        for (char *g = strtok(argv[10], ","); g && ngroups < 256; g = strtok(NULL, ",")) groups[ngroups++] = (gid_t) strtoul(g, NULL, 10);
    }
    if (setgroups(ngroups, groups) != 0) fail("setgroups");
    if (syscall(SYS_setresgid, gid, gid, gid) != 0) fail("setresgid");
    if (syscall(SYS_setresuid, uid, uid, uid) != 0) fail("setresuid");
    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) != 0) fail("capget");
    uint64_t inh = inheritable | ambient;
    for (int i = 0; i < 2; i++) {
        data[i].effective = data[i].permitted; // kept until exec, so the calls below are allowed
        data[i].inheritable = (uint32_t) (inh >> (32 * i));
    }
    if (syscall(SYS_capset, &header, data) != 0) fail("capset");
    for (int cap = 0; cap <= last; cap++) {
        if ((ambient & (1ULL << cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) fail("prctl(PR_CAP_AMBIENT_RAISE)");
    }
    if (strcmp(argv[15], "-") != 0) umask((mode_t) strtoul(argv[15], NULL, 8));
    if (filterfd >= 0) load_filter(filterfd, filterflags);
    execv(argv[18], &argv[19]);
    fprintf(stderr, "jbox-ns: exec %s: %s\n", argv[18], strerror(errno));
    return 127;
}

/* The first range NAME or UID has in FILE (/etc/subuid, /etc/subgid), as "START COUNT"; 0 without one. */
static int subordinate_range(const char *file, const char *name, unsigned long id, unsigned long *start, unsigned long *count) {
    FILE *f = fopen(file, "r");
    if (!f) return 0;
    char line[512], idtext[32];
    snprintf(idtext, sizeof idtext, "%lu", id);
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        char *owner = strtok(line, ":"), *s = strtok(NULL, ":"), *c = strtok(NULL, ":\n");
        if (!owner || !s || !c) continue;
        if ((name && strcmp(owner, name) == 0) || strcmp(owner, idtext) == 0) {
            *start = strtoul(s, NULL, 10);
            *count = strtoul(c, NULL, 10);
            found = *count > 0;
        }
    }
    fclose(f);
    return found;
}

/* The login name of UID from /etc/passwd (no NSS: this program is static), or NULL. */
static char *user_name(uid_t uid) {
    static char name[256];
    FILE *f = fopen("/etc/passwd", "r");
    if (!f) return NULL;
    char line[1024];
    char *found = NULL;
    while (!found && fgets(line, sizeof line, f)) {
        char *n = strtok(line, ":"), *x = strtok(NULL, ":"), *u = strtok(NULL, ":");
        if (n && x && u && strtoul(u, NULL, 10) == uid) {
            snprintf(name, sizeof name, "%s", n);
            found = name;
        }
    }
    fclose(f);
    return found;
}

static int run_tool(char *const argv[]) {
    pid_t p = fork();
    if (p < 0) return -1;
    if (p == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "jbox-ns: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    if (waitpid(p, &status, 0) != p) return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t) strlen(text) ? 0 : -1;
}

/* newuidmap or newgidmap (setuid root, they check /etc/subuid or /etc/subgid): 0 to ID, 1.. to START..START+COUNT-1. */
static int map_range(const char *tool, const char *file, pid_t holder, unsigned long id, unsigned long start, unsigned long count) {
    char pid[32], a[32], b[32], c[32];
    snprintf(pid, sizeof pid, "%d", holder);
    snprintf(a, sizeof a, "%lu", id);
    snprintf(b, sizeof b, "%lu", start);
    snprintf(c, sizeof c, "%lu", count);
    char *argv[] = {(char *) tool, pid, "0", a, "1", "1", b, c, NULL};
    if (run_tool(argv) == 0) return 0;
    fprintf(stderr, "jbox-ns: %s %s 0 %s 1 1 %s %s failed: is the uidmap package installed, and is %s's range yours?\n", tool, pid, a, b, c, file);
    return -1;
}

/* Maps HOLDER's new user namespace: 0 to the user, 1.. to the user's subordinate ids when it has them. */
static int map_ids(pid_t holder, uid_t uid, gid_t gid) {
    char *name = user_name(uid);
    unsigned long us = 0, uc = 0, gs = 0, gc = 0;
    int ranges = subordinate_range("/etc/subuid", name, uid, &us, &uc) && subordinate_range("/etc/subgid", name, uid, &gs, &gc);
    if (ranges) {
        return map_range("newuidmap", "/etc/subuid", holder, uid, us, uc) == 0 && map_range("newgidmap", "/etc/subgid", holder, gid, gs, gc) == 0 ? 0 : -1;
    }
    char path[64], line[64];
    snprintf(path, sizeof path, "/proc/%d/uid_map", holder);
    snprintf(line, sizeof line, "0 %u 1\n", uid);
    if (write_file(path, line) != 0) fail("write uid_map");
    snprintf(path, sizeof path, "/proc/%d/setgroups", holder);
    if (write_file(path, "deny") != 0) fail("write setgroups");
    snprintf(path, sizeof path, "/proc/%d/gid_map", holder);
    snprintf(line, sizeof line, "0 %u 1\n", gid);
    if (write_file(path, line) != 0) fail("write gid_map");
    return 0;
}

/* Whether a process other than this one is in this process's user namespace. */
static int namespace_in_use(void) {
    char mine[64], theirs[64], path[64];
    ssize_t n = readlink("/proc/self/ns/user", mine, sizeof mine - 1);
    if (n < 0) return 1;
    mine[n] = 0;
    DIR *d = opendir("/proc");
    if (!d) return 1;
    int used = 0;
    pid_t self = getpid();
    for (struct dirent *e; !used && (e = readdir(d));) {
        pid_t p = (pid_t) strtol(e->d_name, NULL, 10);
        if (p <= 0 || p == self) continue;
        snprintf(path, sizeof path, "/proc/%d/ns/user", p);
        ssize_t m = readlink(path, theirs, sizeof theirs - 1);
        if (m < 0) continue;
        theirs[m] = 0;
        used = strcmp(mine, theirs) == 0;
    }
    closedir(d);
    return used;
}

/* The holder: stays in the namespaces while anyone uses them, then removes its pid file and ends. */
/* argv's strings, one block: the holder writes its own name over them (ps, pkill -f see it, not the jbox command it came from). */
static char *args_start, *args_end;

static void rename_args(const char *name) {
    if (!args_start) return;
    memset(args_start, 0, (size_t) (args_end - args_start));
    snprintf(args_start, (size_t) (args_end - args_start), "%s", name);
}

static void hold_namespaces(const char *lockfile, const char *pidfile) {
    /* Its own open file: a flock belongs to one, and the joiner that made this holder still holds its own. */
    int lockfd = open(lockfile, O_RDWR | O_CLOEXEC);
    if (lockfd < 0) _exit(1);
    prctl(PR_SET_NAME, "jbox-userns", 0, 0, 0);
    rename_args("jbox-userns");
    signal(SIGHUP, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    struct timespec tick = {.tv_sec = 0, .tv_nsec = 200 * 1000 * 1000};
    for (int idle = 0;;) {
        nanosleep(&tick, NULL);
        while (waitpid(-1, NULL, WNOHANG) > 0) {}
        if (flock(lockfd, LOCK_EX | LOCK_NB) != 0) continue;
        idle = namespace_in_use() ? 0 : idle + 1;
        if (idle >= 5) { /* a second with no one: a joiner holds the lock while it joins */
            unlink(pidfile);
            _exit(0);
        }
        flock(lockfd, LOCK_UN);
    }
}

/* The pid of a live holder of this user's namespaces, or 0. */
static pid_t live_holder(const char *pidfile) {
    FILE *f = fopen(pidfile, "r");
    if (!f) return 0;
    int pid = 0;
    if (fscanf(f, "%d", &pid) != 1) pid = 0;
    fclose(f);
    if (pid <= 0) return 0;
    char path[64], comm[32] = {0};
    snprintf(path, sizeof path, "/proc/%d/comm", pid);
    FILE *c = fopen(path, "r");
    if (!c) return 0;
    int ok = fgets(comm, sizeof comm, c) && strncmp(comm, "jbox-userns", 11) == 0;
    fclose(c);
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d", pid);
    if (!ok || stat(path, &st) != 0 || st.st_uid != getuid()) return 0;
    snprintf(path, sizeof path, "/proc/%d/ns/user", pid); /* a holder killed a moment ago is a zombie with no namespaces */
    return access(path, F_OK) == 0 ? pid : 0;
}

static pid_t make_holder(const char *lockfile, const char *pidfile) {
    int up[2], down[2];
    if (pipe2(up, O_CLOEXEC) != 0 || pipe2(down, O_CLOEXEC) != 0) fail("pipe");
    uid_t uid = getuid();
    gid_t gid = getgid();
    pid_t pid = fork();
    if (pid < 0) fail("fork");
    if (pid == 0) {
        /* Nothing of the caller's stays open: a terminal or a pipe held here would outlive the command. */
        long max = sysconf(_SC_OPEN_MAX);
        for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++) {
            if (fd != up[1] && fd != down[0]) close(fd);
        }
        char c = 'n';
        if (unshare(CLONE_NEWUSER) != 0) {
            fprintf(stderr, "jbox-ns: unshare(CLONE_NEWUSER): %s: user namespaces are off on this host (sysctl user.max_user_namespaces"
                            " or kernel.unprivileged_userns_clone); ask its administrator to allow them\n", strerror(errno));
            _exit(1);
        }
        if (write(up[1], "y", 1) != 1 || read(down[0], &c, 1) != 1 || c != 'y') _exit(1);
        if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) fail("setresuid(0) in the user namespace");
        if (unshare(CLONE_NEWNS) != 0) fail("unshare(CLONE_NEWNS)");
        /* Host mounts made later still show here; nothing mounted here shows on the host. */
        if (mount("none", "/", NULL, MS_REC | MS_SLAVE, NULL) != 0) fail("mount(/, MS_SLAVE)");
        if (chdir("/") != 0) fail("chdir(/)");
        /* The holder is this process's child, handed to init: not the first jbox's, which may wait for its children. */
        pid_t holder = fork();
        if (holder < 0) _exit(1);
        if (holder == 0) {
            close(up[1]);
            int null = open("/dev/null", O_RDWR);
            if (null >= 0) {
                dup2(null, 0);
                dup2(null, 1);
                dup2(null, 2);
                if (null > 2) close(null);
            }
            setsid();
            hold_namespaces(lockfile, pidfile);
        }
        _exit(write(up[1], &holder, sizeof holder) == sizeof holder ? 0 : 1);
    }
    char c;
    if (read(up[0], &c, 1) != 1 || map_ids(pid, uid, gid) != 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        exit(127);
    }
    pid_t holder = 0;
    if (write(down[1], "y", 1) != 1 || read(up[0], &holder, sizeof holder) != sizeof holder || holder <= 0) {
        fprintf(stderr, "jbox-ns: the holder of the user namespace failed to start\n");
        exit(127);
    }
    waitpid(pid, NULL, 0);
    close(up[0]), close(up[1]), close(down[0]), close(down[1]);
    char tmp[4200], text[32];
    snprintf(tmp, sizeof tmp, "%s.new", pidfile);
    snprintf(text, sizeof text, "%d\n", holder);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text) || close(fd) != 0 || rename(tmp, pidfile) != 0) fail("write userns.pid");
    return holder;
}

static int rootless(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "jbox-ns: rootless needs RUNDIR PROGRAM ARG...\n");
        return 127;
    }
    char lockfile[4096], pidfile[4096];
    snprintf(lockfile, sizeof lockfile, "%s/userns.lock", argv[2]);
    snprintf(pidfile, sizeof pidfile, "%s/userns.pid", argv[2]);
    int lockfd = open(lockfile, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lockfd < 0) fail(lockfile);
    if (flock(lockfd, LOCK_EX) != 0) fail("flock(userns.lock)");
    pid_t holder = live_holder(pidfile);
    if (!holder) holder = make_holder(lockfile, pidfile);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/user", holder);
    int userns = open(path, O_RDONLY | O_CLOEXEC);
    snprintf(path, sizeof path, "/proc/%d/ns/mnt", holder);
    int mntns = open(path, O_RDONLY | O_CLOEXEC);
    if (userns < 0 || mntns < 0) fail("open(the holder's namespaces)");
    if (setns(userns, CLONE_NEWUSER) != 0) fail("setns(CLONE_NEWUSER)");
    if (setns(mntns, CLONE_NEWNS) != 0) fail("setns(CLONE_NEWNS)");
    close(userns), close(mntns);
    if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) fail("setresuid(0) in the user namespace");
    setgroups(0, NULL); /* refused where setgroups is denied (a single-id map): the groups then stay unmapped */
    execvp(argv[3], &argv[3]); /* the lock is close-on-exec: released once this process is in */
    fprintf(stderr, "jbox-ns: exec %s: %s\n", argv[3], strerror(errno));
    return 127;
}

int main(int argc, char **argv) {
    args_start = argv[0];
    args_end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
    if (argc >= 2 && strcmp(argv[1], "rootless") == 0) return rootless(argc, argv);
    if (argc >= 3 && strcmp(argv[1], "hold") == 0) return hold(argv[2]);
    if (argc >= 2 && strcmp(argv[1], "enter") == 0) return enter(argc, argv);
    fprintf(stderr, "usage: jbox-ns rootless RUNDIR PROGRAM ARG... | jbox-ns hold cgroup|user | jbox-ns enter SELFFD NSFD GATEDIRFD GATEFD TTY WORKDIR UID GID GROUPS BOUNDING INHERITABLE"
                    " AMBIENT NNP UMASK FILTERFD FILTERFLAGS PROGRAM ARGV0 ARG...\n");
    return 127;
}
