/*
 * jbox-runc's front. A caller (conmon, containerd's shim) runs the OCI runtime once per step and
 * waits for each; a JVM's start is most of such a step. This program sends the command to the
 * runtime service (jbox _runtime-service, see RuntimeService.java) when one listens for this jbox
 * and this environment, and relays its output and exit status. Otherwise, or when the service
 * says the command must run in the caller's process tree (create, run, exec), it execs
 * `jbox runtime ARGS`, telling that JVM where the service should listen, so it starts one.
 *
 * A create is answered by the service too, but its container process must descend from the caller
 * (conmon and containerd's shim wait for it through their subreaper), so the service asks this
 * program to fork it: after joining the namespaces the service's start thread made, it carries out
 * that thread's spawn (the file actions of jbox.sys.Spawn, then exec of jbox-ns enter) and sends the
 * pid back (fork_for_service). As `runc create` does, this program then exits and leaves the
 * process to its caller.
 *
 * Usage: jbox-runc-client LAUNCHER ARGS...   (LAUNCHER: the jbox script)
 * JBOX_RUNTIME_SERVICE=off runs every command in a JVM of its own; any other value names a
 * service of its own (tests use that to watch one).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* What the service's answers depend on besides the command line: it serves only callers that agree. */
static const char *const KEY_VARIABLES[] = {"PATH", "LANG", "LC_ALL", "JBOX_LANG", "JBOX_CGROUP", "JBOX_PROC",
                                            "JBOX_RUN_DIR", "JBOX_DEBUG", "JBOX_RUNTIME_SERVICE", NULL};

static uint64_t fnv1a(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int write_all(int fd, const void *data, size_t n) {
    const char *p = data;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_all(int fd, void *data, size_t n) {
    char *p = data;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* The service's socket: named by this jbox (its directory and build) and the key variables. */
static int socket_path(const char *launcher, char *out, size_t size) {
    char home[4096];
    snprintf(home, sizeof home, "%s", launcher);
    char *slash = strrchr(home, '/');
    if (slash == NULL) return -1;
    *slash = '\0';
    char jar[4200];
    snprintf(jar, sizeof jar, "%s/target/jbox.jar", home);
    struct stat st;
    if (stat(jar, &st) != 0) return -1;
    uint64_t h = 14695981039346656037ULL;
    h = fnv1a(h, home, strlen(home) + 1);
    char built[64];
    int n = snprintf(built, sizeof built, "%lld.%09ld", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    h = fnv1a(h, built, (size_t)n + 1);
    for (int i = 0; KEY_VARIABLES[i] != NULL; i++) {
        const char *v = getenv(KEY_VARIABLES[i]);
        h = fnv1a(h, KEY_VARIABLES[i], strlen(KEY_VARIABLES[i]) + 1);
        h = v == NULL ? fnv1a(h, "", 1) : fnv1a(h, v, strlen(v) + 1);
        h = fnv1a(h, v == NULL ? "u" : "s", 1);
    }
    snprintf(out, size, "/run/jbox/runtime/%016llx.sock", (unsigned long long)h);
    return 0;
}

/* The service's spawn, NUL-separated fields, read in order; each list is its length, then its items. */
struct fields {
    char *next, *end;
};

static char *field(struct fields *f) {
    if (f->next >= f->end) return NULL;
    char *s = f->next;
    f->next += strlen(s) + 1;
    return s;
}

static long number(struct fields *f) {
    char *s = field(f);
    return s == NULL ? -1 : strtol(s, NULL, 10);
}

/* A list's items as a NULL-ended array (pointing into the fields), or NULL if the data ends early. */
static char **list(struct fields *f) {
    long n = number(f);
    if (n < 0 || n > 100000) return NULL;
    char **items = calloc((size_t)n + 1, sizeof *items);
    if (items == NULL) return NULL;
    for (long i = 0; i < n; i++) {
        if ((items[i] = field(f)) == NULL) {
            free(items);
            return NULL;
        }
    }
    return items;
}

static int count(char **items) {
    int n = 0;
    while (items[n] != NULL) n++;
    return n;
}

/* Where the service's descriptors and this program's own go while the file actions run: above any they name. */
#define HIGH_FD 200

/* What the child reports on its error pipe when a step fails: the errno and the step's index (-1: exec). */
struct failure {
    int err, step;
};

static void child_fail(int pipe_fd, int step) {
    struct failure f = {errno, step};
    (void)!write(pipe_fd, &f, sizeof f);
    _exit(127);
}

/* The child: the file actions in order, then exec. Descriptors the service exported are read from mapped. */
static void run_actions(char ***actions, int nactions, char **exported, int *mapped, int setsid_wanted, const char *path,
                        char **args, char **env, int pipe_fd) {
    /* as posix_spawn with POSIX_SPAWN_SETSIGDEF and an empty mask: what the caller ignored is not the container's business */
    for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (setsid_wanted && setsid() < 0) child_fail(pipe_fd, -2);
    for (int i = 0; i < nactions; i++) {
        char **a = actions[i];
        int n = count(a);
        if (n == 0) continue;
        int source = -1;
        if ((strcmp(a[0], "dup2") == 0 || strcmp(a[0], "fchdir") == 0) && n >= 2) {
            source = atoi(a[1]);
            for (int k = 0; exported[k] != NULL; k++) {
                if (atoi(exported[k]) == source) source = mapped[k];
            }
        }
        if (strcmp(a[0], "open") == 0 && n == 5) {
            int target = atoi(a[1]);
            int fd = open(a[4], atoi(a[2]), (mode_t)atoi(a[3]));
            if (fd < 0) child_fail(pipe_fd, i);
            if (fd != target) {
                if (dup2(fd, target) < 0) child_fail(pipe_fd, i);
                close(fd);
            }
        } else if (strcmp(a[0], "dup2") == 0 && n == 3) {
            int target = atoi(a[2]);
            if (source == target) {
                int flags = fcntl(target, F_GETFD);
                if (flags < 0 || fcntl(target, F_SETFD, flags & ~FD_CLOEXEC) < 0) child_fail(pipe_fd, i);
            } else if (dup2(source, target) < 0) {
                child_fail(pipe_fd, i);
            }
        } else if (strcmp(a[0], "close") == 0 && n == 2) {
            close(atoi(a[1]));
        } else if (strcmp(a[0], "chdir") == 0 && n == 2) {
            if (chdir(a[1]) != 0) child_fail(pipe_fd, i);
        } else if (strcmp(a[0], "fchdir") == 0 && n == 2) {
            if (fchdir(source) != 0) child_fail(pipe_fd, i);
        } else if (strcmp(a[0], "closefrom") == 0 && n == 2) {
            unsigned int from = (unsigned int)atoi(a[1]);
            if ((unsigned int)pipe_fd > from) syscall(SYS_close_range, from, (unsigned int)pipe_fd - 1, 0);
            if (syscall(SYS_close_range, (unsigned int)pipe_fd + 1 > from ? (unsigned int)pipe_fd + 1 : from, ~0U, 0) != 0) {
                /* a kernel before 5.9 */
                long max = sysconf(_SC_OPEN_MAX);
                for (long fd = from; fd < max; fd++) if (fd != pipe_fd) close((int)fd);
            }
        } else {
            errno = EINVAL;
            child_fail(pipe_fd, i);
        }
    }
    execve(path, args, env);
    child_fail(pipe_fd, -1);
}

/* Forks the container's process as the service's spawn says: its pid, or minus the errno (said on stderr). */
static int fork_for_service(int conn, char *data, size_t n) {
    struct fields f = {data, data + n};
    char *service = field(&f);
    /* Its descriptors are opened through /proc/PID and the pid goes back to it: both need one pid namespace. */
    struct ucred peer;
    socklen_t peer_len = sizeof peer;
    if (service == NULL || getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &peer_len) != 0 || peer.pid != atoi(service)) {
        fprintf(stderr, "jbox-runc: the runtime service runs in another pid namespace than this caller; "
                        "run this caller's jbox-runc with JBOX_RUNTIME_SERVICE=off\n");
        return -EXDEV;
    }
    char **namespaces = list(&f);
    char **exported = list(&f);
    long setsid_wanted = number(&f);
    long nactions = number(&f);
    if (namespaces == NULL || exported == NULL || nactions < 0 || nactions > 10000) return -EINVAL;
    char ***actions = calloc((size_t)nactions + 1, sizeof *actions);
    if (actions == NULL) return -ENOMEM;
    for (long i = 0; i < nactions; i++) {
        if ((actions[i] = list(&f)) == NULL) return -EINVAL;
    }
    char *path = field(&f);
    char **args = list(&f);
    char **env = list(&f);
    if (path == NULL || args == NULL || env == NULL) return -EINVAL;

    int nexported = count(exported);
    int *mapped = calloc((size_t)nexported + 1, sizeof *mapped);
    if (mapped == NULL) return -ENOMEM;
    for (int i = 0; i < nexported; i++) {
        char p[128];
        snprintf(p, sizeof p, "/proc/%s/fd/%s", service, exported[i]);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || (mapped[i] = fcntl(fd, F_DUPFD_CLOEXEC, HIGH_FD)) < 0) {
            int e = errno;
            fprintf(stderr, "jbox-runc: open %s: %s\n", p, strerror(e));
            return -e;
        }
        close(fd);
    }
    int nns = count(namespaces);
    int *nsfds = calloc((size_t)nns + 1, sizeof *nsfds);
    if (nsfds == NULL) return -ENOMEM;
    for (int i = 0; i < nns; i++) {
        nsfds[i] = -1;
        if (strcmp(namespaces[i], "unshare:pid") == 0) continue;
        if ((nsfds[i] = open(namespaces[i], O_RDONLY | O_CLOEXEC)) < 0) {
            int e = errno;
            fprintf(stderr, "jbox-runc: open %s: %s\n", namespaces[i], strerror(e));
            return -e;
        }
    }
    for (int i = 0; i < nns; i++) {
        if (nsfds[i] < 0) {
            /* a new pid namespace: the fork below makes its first process */
            if (unshare(CLONE_NEWPID) != 0) {
                int e = errno;
                fprintf(stderr, "jbox-runc: unshare(CLONE_NEWPID): %s\n", strerror(e));
                return -e;
            }
            continue;
        }
        if (setns(nsfds[i], 0) != 0) {
            int e = errno;
            fprintf(stderr, "jbox-runc: setns(%s): %s\n", namespaces[i], strerror(e));
            return -e;
        }
        close(nsfds[i]);
    }
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) return -errno;
    int report = fcntl(pipe_fds[1], F_DUPFD_CLOEXEC, HIGH_FD + nexported + 1);
    close(pipe_fds[1]);
    if (report < 0) return -errno;
    pid_t pid = fork();
    if (pid < 0) return -errno;
    if (pid == 0) run_actions(actions, (int)nactions, exported, mapped, (int)setsid_wanted, path, args, env, report);
    close(report);
    for (int i = 0; i < nexported; i++) close(mapped[i]);
    struct failure failed;
    ssize_t r;
    do r = read(pipe_fds[0], &failed, sizeof failed); while (r < 0 && errno == EINTR);
    close(pipe_fds[0]);
    if (r != (ssize_t)sizeof failed) return pid; /* closed by the exec */
    waitpid(pid, NULL, 0);
    if (failed.step == -1) fprintf(stderr, "jbox-runc: exec %s: %s\n", path, strerror(failed.err));
    else if (failed.step == -2) fprintf(stderr, "jbox-runc: setsid: %s\n", strerror(failed.err));
    else fprintf(stderr, "jbox-runc: %s (file action %d): %s\n", actions[failed.step][0], failed.step, strerror(failed.err));
    return -(failed.err > 0 ? failed.err : EIO);
}

#define NO_SERVICE (-1) /* none listens, or one on its way out closed the connection unanswered */
#define DECLINED (-2)   /* the command must run in the caller's process tree */

/* Runs the command through the service: its exit status, or NO_SERVICE or DECLINED, and then nothing was done. */
static int through_service(const char *path, int argc, char **argv) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return NO_SERVICE;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return NO_SERVICE;
    }
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) == NULL) {
        close(fd);
        return DECLINED;
    }
    size_t len = strlen(cwd) + 1;
    for (int i = 0; i < argc; i++) len += strlen(argv[i]) + 1;
    char *req = malloc(4 + len);
    if (req == NULL) {
        close(fd);
        return DECLINED;
    }
    uint32_t be = htonl((uint32_t)len);
    memcpy(req, &be, 4);
    char *p = req + 4;
    p = stpcpy(p, cwd) + 1;
    for (int i = 0; i < argc; i++) p = stpcpy(p, argv[i]) + 1;
    int sent = write_all(fd, req, 4 + len);
    free(req);
    if (sent != 0) {
        close(fd);
        return NO_SERVICE;
    }
    int accepted = 0;
    char buf[65536];
    for (;;) {
        unsigned char head[5];
        if (read_all(fd, head, 5) != 0) break;
        uint32_t n;
        memcpy(&n, head + 1, 4);
        n = ntohl(n);
        char kind = (char)head[0];
        if (kind == 'l' && !accepted) {
            close(fd);
            return DECLINED;
        }
        if (kind == 'a') {
            accepted = 1;
            continue;
        }
        if (kind == 's') {
            char *spawn = malloc((size_t)n + 1);
            if (spawn == NULL || read_all(fd, spawn, n) != 0) goto ended;
            spawn[n] = '\0';
            int32_t answer = fork_for_service(fd, spawn, n);
            free(spawn);
            unsigned char reply[9] = {'p'};
            uint32_t four = htonl(4), value = htonl((uint32_t)answer);
            memcpy(reply + 1, &four, 4);
            memcpy(reply + 5, &value, 4);
            if (write_all(fd, reply, sizeof reply) != 0) goto ended;
            continue;
        }
        while (n > 0) {
            size_t chunk = n < sizeof buf ? n : sizeof buf;
            if (read_all(fd, buf, chunk) != 0) goto ended;
            if (kind == 'o') write_all(1, buf, chunk);
            else if (kind == 'e') write_all(2, buf, chunk);
            else if (kind == 'x' && chunk == 4) {
                uint32_t code;
                memcpy(&code, buf, 4);
                close(fd);
                return (int)ntohl(code);
            }
            n -= (uint32_t)chunk;
        }
    }
ended:
    close(fd);
    if (!accepted) return NO_SERVICE;
    fprintf(stderr, "jbox-runc: the runtime service ended while running this command (it crashed or was killed); "
                    "see %s.log, check the container's state and run the command again\n", path);
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s LAUNCHER ARGS...\n", argv[0]);
        return 125;
    }
    const char *launcher = argv[1];
    const char *mode = getenv("JBOX_RUNTIME_SERVICE");
    char path[256];
    if (geteuid() == 0 && (mode == NULL || strcmp(mode, "off") != 0) && socket_path(launcher, path, sizeof path) == 0) {
        int code = through_service(path, argc - 2, argv + 2);
        if (code >= 0) return code;
        if (code == NO_SERVICE) setenv("JBOX_RUNTIME_SOCKET", path, 1);
    }
    char **args = calloc((size_t)argc + 1, sizeof *args);
    if (args == NULL) return 125;
    args[0] = (char *)launcher;
    args[1] = "runtime";
    for (int i = 2; i < argc; i++) args[i] = argv[i];
    execv(launcher, args);
    fprintf(stderr, "jbox-runc: cannot run %s: %s (is jbox set up? run %s --version once as root)\n", launcher, strerror(errno), launcher);
    return 127;
}
