/*
 * jbox-cgroupns: makes a cgroup namespace rooted at a container's cgroup, for a JVM thread to join.
 *
 * A cgroup namespace is rooted at the cgroup its creator is in when it calls unshare. On cgroup v2
 * a thread of the JVM cannot enter a cgroup alone (the whole JVM would move), so jbox starts this
 * helper, moves it into the container's cgroup, and lets it unshare there; jbox's thread then
 * setns()es into the helper's namespace through /proc/PID/ns/cgroup and closes the helper's stdin.
 *
 * Protocol: stdin and stdout are pipes to jbox. Read one byte (jbox has moved us), unshare, write
 * "y" (or "n" and the errno text on stderr), then hold the namespace until stdin reaches its end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    char c;
    if (read(0, &c, 1) != 1) return 1;
    if (unshare(CLONE_NEWCGROUP) != 0) {
        int e = errno;
        fprintf(stderr, "jbox-cgroupns: unshare(CLONE_NEWCGROUP): %s\n", strerror(e));
        (void) !write(1, "n", 1);
        return 1;
    }
    if (write(1, "y", 1) != 1) return 1;
    while (read(0, &c, 1) > 0) {}
    return 0;
}
