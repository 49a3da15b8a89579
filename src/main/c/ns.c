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
 *     SELFFD, so nothing of it is in the container's root). It joins the namespace NSFD, so the
 *     created container is in it, then waits at its start gate (the FIFO "gate" in GATEDIRFD, opened
 *     as descriptor GATEFD, close-on-exec: its end tells jbox the program was exec'd). Once started it
 *     opens its terminal (TTY, "-" for none), enters WORKDIR, takes the container's credentials as
 *     jbox's start thread does outside a user namespace (bounding set, keep-caps, groups, gid, uid,
 *     capabilities, ambient set, no_new_privs, umask), loads the seccomp filter read from FILTERFD
 *     (classic BPF, last) and execs PROGRAM. GROUPS is a comma list ("-" for none); the capability
 *     sets are hex masks; UMASK is octal or "-"; FILTERFD is "-" for no filter.
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
#include <sched.h>
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
    int nsfd = atoi(argv[3]), gatedir = atoi(argv[4]), gatefd = atoi(argv[5]);
    const char *tty = argv[6], *workdir = argv[7];
    uid_t uid = (uid_t) strtoul(argv[8], NULL, 10);
    gid_t gid = (gid_t) strtoul(argv[9], NULL, 10);
    uint64_t bounding = strtoull(argv[11], NULL, 16), inheritable = strtoull(argv[12], NULL, 16), ambient = strtoull(argv[13], NULL, 16);
    int nnp = strcmp(argv[14], "1") == 0;
    int filterfd = strcmp(argv[16], "-") == 0 ? -1 : atoi(argv[16]);
    unsigned int filterflags = (unsigned int) strtoul(argv[17], NULL, 10);

    if (setns(nsfd, CLONE_NEWUSER) != 0) fail("setns(CLONE_NEWUSER)");
    close(nsfd);
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

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "hold") == 0) return hold(argv[2]);
    if (argc >= 2 && strcmp(argv[1], "enter") == 0) return enter(argc, argv);
    fprintf(stderr, "usage: jbox-ns hold cgroup|user | jbox-ns enter SELFFD NSFD GATEDIRFD GATEFD TTY WORKDIR UID GID GROUPS BOUNDING INHERITABLE"
                    " AMBIENT NNP UMASK FILTERFD FILTERFLAGS PROGRAM ARGV0 ARG...\n");
    return 127;
}
