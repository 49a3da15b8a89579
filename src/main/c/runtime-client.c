/*
 * jbox-runc's front. A caller (conmon, containerd's shim) runs the OCI runtime once per step and
 * waits for each; a JVM's start is most of such a step. This program sends the command to the
 * runtime service (jbox _runtime-service, see RuntimeService.java) when one listens for this jbox
 * and this environment, and relays its output and exit status. Otherwise, or when the service
 * says the command must run in the caller's process tree (create, run, exec), it execs
 * `jbox runtime ARGS`, telling that JVM where the service should listen, so it starts one.
 *
 * Usage: jbox-runc-client LAUNCHER ARGS...   (LAUNCHER: the jbox script)
 * JBOX_RUNTIME_SERVICE=off runs every command in a JVM of its own; any other value names a
 * service of its own (tests use that to watch one).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

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
