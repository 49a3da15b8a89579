/*
 * jbox-keeper: the first of `jbox daemon`'s two processes (see Daemon.java), in C so that a daemon
 * serving for weeks does not keep a second JVM (tens of megabytes) only to wait.
 *
 *   jbox-keeper PIDFILE SOCKET N SELF_1 .. SELF_N SERVERARG...
 *
 * `jbox daemon` checks what it must (root, no other daemon on SOCKET), then execs this program with
 * SELF, the command that runs jbox again. It is the child subreaper of everything below it: it
 * starts the server (SELF SERVERARG...) and starts it again if it dies. A container whose server
 * died is handed to it by the kernel; it records that container's exit with
 * `SELF _inherited-exit PID STATUS` (a JVM for a moment, only then). A server that ends with 0
 * stopped its containers; after one that did not, `SELF _daemon-stop-left SERVERPID KEEPERPID` stops
 * those left. It removes PIDFILE when it ends, and SOCKET when it was asked to stop (the server
 * removes it itself, unless it died first). SIGINT, SIGTERM and SIGHUP stop the daemon: the server
 * gets SIGTERM. A server that fails within its first seconds is reported once: its exit code is
 * the daemon's.
 *
 * Errors go to stderr as "jbox daemon: STEP: REASON", with exit status 125.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define QUICK_FAILURE_MS 3000

static volatile sig_atomic_t stopping;
static volatile sig_atomic_t server;

static void on_stop(int sig) {
    (void) sig;
    stopping = 1;
    if (server > 0) kill(server, SIGTERM);
}

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static void fail(const char *step) {
    fprintf(stderr, "jbox daemon: %s: %s\n", step, strerror(errno));
    exit(125);
}

/* SELF followed by the given words, as a NULL-terminated argv. */
static char **self_with(char **self, int n, char **more, int m) {
    char **argv = calloc((size_t) (n + m + 1), sizeof(char *));
    if (argv == NULL) fail("calloc");
    memcpy(argv, self, (size_t) n * sizeof(char *));
    memcpy(argv + n, more, (size_t) m * sizeof(char *));
    return argv;
}

static pid_t spawn(char **argv) {
    pid_t pid = fork();
    if (pid < 0) fail("fork");
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        execvp(argv[0], argv);
        fprintf(stderr, "jbox daemon: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

static int wait_for(pid_t pid) {
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) fail("waitpid");
    }
    return status;
}

/*
 * Containers inherited from a server that died have ended (first, the one just reaped, then any other
 * already ended; never the process `keep`): one `SELF _inherited-exit PID STATUS...` records them all.
 * Returns the wait status of `keep` if it was among them, else -1.
 */
static int record_inherited(char **self, int n, pid_t first, int first_status, pid_t keep) {
    enum { MAX = 64 };
    char numbers[2 * MAX][16];
    char *words[1 + 2 * MAX];
    int count = 0, kept = -1;
    words[0] = "_inherited-exit";
    pid_t pid = first;
    int status = first_status;
    while (pid > 0) {
        if (pid == keep) {
            kept = status;
        } else {
            snprintf(numbers[2 * count], 16, "%d", (int) pid);
            snprintf(numbers[2 * count + 1], 16, "%d", status);
            words[1 + 2 * count] = numbers[2 * count];
            words[2 + 2 * count] = numbers[2 * count + 1];
            count++;
        }
        if (count == MAX || kept != -1) break;
        pid = waitpid(-1, &status, WNOHANG);
    }
    if (count > 0) {
        char **argv = self_with(self, n, words, 1 + 2 * count);
        int rc = wait_for(spawn(argv));
        if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 0) fprintf(stderr, "jbox daemon: cannot record the exit of %d inherited container processes (above)\n", count);
        free(argv);
    }
    return kept;
}

/* Reaps children until `keep` ends, recording the others' exits; returns its wait status (-1: no child is left). */
static int wait_for_child(char **self, int n, pid_t keep) {
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            if (errno == ECHILD) return -1;
            fail("waitpid");
        }
        if (pid == keep) return status;
        int kept = record_inherited(self, n, pid, status, keep);
        if (kept != -1) return kept;
    }
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: jbox-keeper PIDFILE SOCKET N SELF_1 .. SELF_N SERVERARG...\n");
        return 125;
    }
    const char *pidfile = argv[1], *socket_path = argv[2];
    int n = atoi(argv[3]);
    if (n < 1 || 4 + n > argc) {
        fprintf(stderr, "jbox daemon: bad arguments for jbox-keeper\n");
        return 125;
    }
    char **self = argv + 4;
    char **server_argv = self_with(self, n, argv + 4 + n, argc - 4 - n);

    /* What the JVM that exec'd this left open (its jars, its libraries) is not the server's. */
    if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0) {
        for (int fd = 3; fd < 1024; fd++) close(fd);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct sigaction sa = {0};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) fail("prctl(PR_SET_CHILD_SUBREAPER)");

    FILE *f = fopen(pidfile, "w");
    if (f == NULL || fprintf(f, "%d\n", getpid()) < 0 || fclose(f) != 0) fail(pidfile);

    int status;
    for (;;) {
        long started = now_ms();
        server = spawn(server_argv);
        status = wait_for_child(self, n, server);
        int killed = WIFSIGNALED(status);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (stopping || (!killed && code == 0)) break;
        if (!killed && now_ms() - started < QUICK_FAILURE_MS) {
            unlink(pidfile); /* it could not start: said once, by the server */
            return code;
        }
        if (killed) {
            fprintf(stderr, "jbox daemon: the server (pid %d) ended by SIG%s; its containers run on, starting a new server\n",
                    (int) server, sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
        } else {
            fprintf(stderr, "jbox daemon: the server (pid %d) ended with exit code %d; its containers run on, starting a new server\n",
                    (int) server, code);
        }
    }
    /*
     * A server that ended with 0 stopped its containers; one that died first (a SIGTERM while it started, a
     * kill -9 while stopping) did not, and a helper stops those left. Either way the keeper waits for every
     * container it inherited, so their exits are recorded.
     */
    pid_t stopper = -1;
    char **stop_argv = NULL;
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        char server_s[16], keeper_s[16];
        snprintf(server_s, sizeof server_s, "%d", (int) server);
        snprintf(keeper_s, sizeof keeper_s, "%d", (int) getpid());
        char *words[] = {"_daemon-stop-left", server_s, keeper_s};
        stop_argv = self_with(self, n, words, 3);
        stopper = spawn(stop_argv);
    }
    while (wait_for_child(self, n, stopper) != -1) stopper = -1;
    free(stop_argv);
    unlink(pidfile);
    if (stopping) unlink(socket_path);
    free(server_argv);
    return 0;
}
