#!/usr/bin/env bash
# jbox on a pure cgroup v2 kernel: run by PureV2HostTest inside ../shared/v2vm's VM (Debian 12's 6.1,
# every controller enabled, a scratch disk /dev/vda). Each "== NAME" section is one thing a user does,
# followed by what they see and "rc=N"; PureV2HostTest judges them. Cold commands take 5-20 s each
# under emulation, so each container checks several things.
set -u
cd "$(dirname "$0")/../../.."
export JBOX_ROOT=${JBOX_ROOT:-/var/lib/jbox}   # a tmpfs of the VM's own (-T): overlayfs cannot write on the shared root
j=./jbox
section() { printf '== %s\n' "$1"; }
run() { "$@" 2>&1; echo "rc=$?"; }

section host
run sh -c 'uname -r; cat /sys/fs/cgroup/cgroup.controllers; grep -c " - cgroup " /proc/self/mountinfo || true'

section pull
run $j pull busybox

section info
run $j info

section oom
run $j run --name oom -m 32m busybox sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/memory.max; touch /sys/fs/cgroup/memory.max; head -c 100m /dev/zero | tail >/dev/null'
section oom-inspect
run $j inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' oom

section pids
run $j run --rm --pids-limit 10 busybox sh -c '(while true; do sleep 1000 & done) 2>/dev/null; echo stopped; cat /sys/fs/cgroup/pids.max; grep max /sys/fs/cgroup/pids.events'

section cpu-max
run $j run --rm --cpus 0.2 busybox sh -c 'cat /sys/fs/cgroup/cpu.max; timeout 3 sh -c "while :; do :; done"; grep nr_throttled /sys/fs/cgroup/cpu.stat'

section tuning
run $j run --rm --cpu-period 50000 --cpu-quota 25000 --cpuset-mems 0 -m 64m --memory-reservation 20m busybox cat /sys/fs/cgroup/cpu.max /sys/fs/cgroup/cpuset.mems /sys/fs/cgroup/memory.low
section tuning-v1-only
run $j run --rm -m 32m --oom-kill-disable busybox true

section io-max
run $j run --rm --device-write-bps /dev/vda:1mb -v /run/v2vm/disk:/data busybox sh -c 'cat /sys/fs/cgroup/io.max; s=$(date +%s); dd if=/dev/zero of=/data/f bs=1M count=3 oflag=direct 2>/dev/null; echo seconds=$(( $(date +%s) - s ))'

section devices
run $j run --rm busybox sh -c 'mknod /tmp/disk b 254 0 && head -c 1 /tmp/disk >/dev/null'

section weights
run $j run -d --name hi --cpuset-cpus 0 --cpu-shares 1024 -m 64m busybox sh -c 'while :; do :; done'
run $j run -d --name lo --cpuset-cpus 0 --cpu-shares 256 busybox sh -c 'while :; do :; done'
hi=$($j inspect -f '{{.Id}}' hi) lo=$($j inspect -f '{{.Id}}' lo)
usage() { awk '/^usage_usec/ {print $2}' "/sys/fs/cgroup/jbox/$1/cpu.stat"; }
h0=$(usage "$hi") l0=$(usage "$lo")
sleep 6   # the measuring window: both loops compete for cpu 0
echo "hi=$(( $(usage "$hi") - h0 )) lo=$(( $(usage "$lo") - l0 ))"
cat "/sys/fs/cgroup/jbox/$hi/cpu.weight" "/sys/fs/cgroup/jbox/$lo/cpu.weight"

section exec
run $j exec hi sh -c '(grep ^0:: /proc/self/cgroup); cat /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/memory.max'

section stats
run $j stats --no-stream hi

section pause
run $j pause hi
grep frozen "/sys/fs/cgroup/jbox/$hi/cgroup.events"
run $j unpause hi
grep frozen "/sys/fs/cgroup/jbox/$hi/cgroup.events"

section cp
# docker cp freezes the container with cgroup.freeze while it copies, and thaws it after
echo from-the-host > /tmp/v2-cp.txt
run sh -c "$j cp /tmp/v2-cp.txt hi:/tmp/ && $j exec hi cat /tmp/v2-cp.txt && $j cp hi:/tmp/v2-cp.txt /tmp/v2-back.txt && cat /tmp/v2-back.txt"
grep frozen "/sys/fs/cgroup/jbox/$hi/cgroup.events"

section shell
printf '%s\n' 'sandbox busybox' 'explain off' 'enter pid' 'enter mnt' 'in ps' 'enter cgroup' 'in cat /proc/self/cgroup' \
  'limit memory 32m' 'probe memory 100m' 'limit pids 10' 'probe forkbomb' 'limit cpus 0.2' 'probe busy' \
  'in -d sleep 1000' 'freeze' 'host sh -c "grep frozen /sys/fs/cgroup/jbox/sb*/cgroup.events"' 'thaw' 'discard' | run $j

section lesson
# The course's cgroup lesson checks itself: on v2 its namespace step must show 0::/ (lesson roots on the VM's tmpfs).
JAVA_TOOL_OPTIONS=-Djbox.lesson.tmp=$JBOX_ROOT run $j lesson check 10-user-and-cgroup

# Without root: nobody (no /etc/subuid range: a single-id map), in a cgroup subtree delegated to it as systemd
# delegates user@UID.service (the directory and its cgroup.procs, subtree_control and threads chowned to the user),
# standing in a child of it as a login would.
section rootless
d=/sys/fs/cgroup/rootless-deleg
home=/tmp/jbox-nobody-home  # the VM's own tmpfs (overlayfs cannot write on the shared root), reachable by nobody
mkdir -p "$d/session" "$home"
chown 65534:65534 "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" "$d/cgroup.threads" "$d/session" "$d/session/cgroup.procs" "$home"
as_nobody() { runuser -u nobody -- env -i HOME="$home" PATH=/usr/bin:/bin "$@"; }
(echo $BASHPID > "$d/session/cgroup.procs" && as_nobody $j info | grep -A9 '^Mode' && \
  run as_nobody $j run --rm --network none -m 48m --pids-limit 12 busybox sh -c 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /proc/self/cgroup')
section rootless-undelegated
run as_nobody $j run --rm --network none -m 48m busybox true
section rootless-left
for _ in $(seq 100); do pgrep -u nobody >/dev/null || break; sleep 0.1; done  # jbox-userns ends once its last process has
pgrep -c -u nobody || true
ls "$d/jbox" 2>/dev/null | grep -c -v '^cgroup\.\|^cpu\|^io\.\|^memory\.\|^pids\.\|^cpuset\.\|^hugetlb\.\|^rdma\.\|^misc\.' || true
rmdir "$d/jbox" 2>/dev/null; rmdir "$d/session" "$d"
rm -rf "$home"

section cleanup
run $j rm -f oom hi lo
section left
ls /sys/fs/cgroup/jbox 2>/dev/null | grep -v '^cgroup\.\|^cpu\|^io\.\|^memory\.\|^pids\.\|^cpuset\.\|^hugetlb\.\|^rdma\.\|^misc\.'
ls "$JBOX_ROOT/containers" 2>/dev/null
grep -c "$JBOX_ROOT/" /proc/self/mountinfo
pgrep -c -f 'sleep 1000|catatonit' || true
