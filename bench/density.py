"""Case 3, density: each tool starts idle containers (sleep) one after another for SECONDS, then
stops. Reported per tool: how many started, memory per container beyond its own process (the fall
in MemAvailable less the sleep processes' RSS, over n), disk per container, and the time to remove
them all. For jbox's daemon also its descriptors per idle container and its memory after them all;
for jbox's CLI without a daemon, the store's monitor is part of the memory beyond the process. Before
all that, jbox's daemon runs 1,000 containers to their end, and its memory after them is reported.
Usage: density.py SECONDS WORKDIR DOCKER_CLI_TO_JBOX PODMAN_COMMAND JBOX_SOCKET JBOX; prints JSON."""
import json
import os
import shlex
import subprocess
import sys
import time

seconds, work, jd, pm, jbox_socket, jbox = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
MARK = "3600"  # the sleep every idle container runs, to find their processes


def memory_parts_kb():
    """Memory that is neither free nor page cache, by kind: process memory, kernel objects, page tables, stacks."""
    m = {l.split(":")[0]: int(l.split()[1]) for l in open("/proc/meminfo")}
    parts = {k: m.get(k, 0) for k in ("AnonPages", "Shmem", "KernelStack", "PageTables", "Percpu")}
    parts["kernel objects"] = kernel_objects_kb()
    # The kernel's vmalloc memory, less the kernel stacks it holds (counted above): a seccomp filter's program is there.
    parts["vmalloc beyond stacks"] = m.get("VmallocUsed", 0) - m.get("KernelStack", 0)
    return parts


def processes():
    """Each process's command line and anonymous memory (KB): the idle sleepers', and who else moved while a tool ran."""
    out = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
            for line in open(f"/proc/{pid}/smaps_rollup"):
                if line.startswith("Anonymous:"):
                    out[pid] = (cmd, int(line.split()[1]))
        except OSError:
            pass
    return out


def kernel_objects_kb():
    """The kernel's objects in use (/proc/slabinfo: active objects times their size), not meminfo's Slab, which
    counts the pages that hold them: the slab keeps the pages of objects a tool before freed, partly empty, and a
    tool that runs after fills those and looks cheaper. Measured here with jbox's daemon on one machine: Slab per
    container grew from 750 to 940 KB between 250 and 2,600 containers, the objects in use stayed at 918-931 KB."""
    total = 0
    with open("/proc/slabinfo") as f:
        for line in f.readlines()[2:]:
            fields = line.split()
            total += int(fields[1]) * int(fields[3])  # active_objs * objsize
    return total // 1024


def settled_memory_parts_kb():
    """Memory in use by kind once it stops falling, with how long that took and how much fell: what the tool before
    left ending in the background (processes still exiting, namespaces torn down) would otherwise be freed during the
    next tool's turn and make it look cheaper."""
    t0 = time.monotonic()
    parts = memory_parts_kb()
    first = last = sum(parts.values())
    while time.monotonic() - t0 < 120:
        time.sleep(2)
        parts = memory_parts_kb()
        now = sum(parts.values())
        if last - now < 4096:  # less than 4 MB given back in 2 s: settled
            break
        last = now
    return parts, {"seconds": round(time.monotonic() - t0, 1), "fell_kb": first - now}


def sleepers_kb(procs):
    """The idle processes' own memory: their anonymous pages (their shared binary is page cache)."""
    return sum(kb for cmd, kb in procs.values() if len(cmd) >= 2 and cmd[0].endswith(b"sleep") and cmd[1] == MARK.encode())


def du_kb(paths):
    out = subprocess.run(["du", "-sk", "--apparent-size", *paths], capture_output=True, text=True).stdout
    return sum(int(l.split()[0]) for l in out.splitlines() if l.strip())


def measure(name, start_all, remove_all, disk_paths):
    """start_all() starts containers until the deadline and returns how many; remove_all() removes them."""
    subprocess.run(["sync"])
    time.sleep(7)  # jbox's daemon gives back memory 5 s after its last request: not during the next tool's turn
    parts_before, settling = settled_memory_parts_kb()
    procs_before = processes()
    t_start = time.monotonic()
    n = start_all()
    start_seconds = time.monotonic() - t_start
    time.sleep(2)
    parts_after, procs_after = memory_parts_kb(), processes()
    before, after = sum(parts_before.values()), sum(parts_after.values())
    own = sleepers_kb(procs_after)
    disk = du_kb([d for d in disk_paths if os.path.exists(d)])
    t0 = time.monotonic()
    remove_all()
    removed = round(time.monotonic() - t0, 2)
    per = lambda x: round(x / n, 1) if n else None
    return {"tool": name, "seconds": seconds, "started": n, "baseline_settling": settling,
            "memory_beyond_process_kb": per(after - before - own), "process_kb": per(own),
            "disk_kb": per(disk), "remove_all_s": removed, "start_rate_per_s": round(n / start_seconds, 1) if n else 0,
            # where it went, per container, and the processes that were there before whose memory moved most meanwhile
            "parts_kb": {k: per(parts_after[k] - parts_before[k]) for k in parts_before},
            "moved_before_kb": sorted(([os.path.basename(procs_before[p][0][0]).decode(errors="replace"), procs_after[p][1] - procs_before[p][1]]
                                       for p in procs_before if p in procs_after),
                                      key=lambda x: -abs(x[1]))[:6],
            "ended_meanwhile_kb": sum(procs_before[p][1] for p in procs_before if p not in procs_after)}


def run(name, script, disk_paths):
    """script: bash that reads a line, starts containers until its deadline, prints STARTED n, reads a line, removes
    them. It starts only when told, after the baseline is taken: until this run's fix it began at once, so the
    containers it made while measure() waited (7 s or more) were in the baseline and counted as free."""
    p = subprocess.Popen(["bash", "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def start_all():
        p.stdin.write("start\n")
        p.stdin.flush()
        for line in p.stdout:
            if line.startswith("STARTED"):
                return int(line.split()[1])
        return 0

    def remove_all():
        p.stdin.write("go\n")
        p.stdin.flush()
        p.stdout.read()
        p.wait()

    return measure(name, start_all, remove_all, disk_paths)


def api(method, path, body=None):
    """One call to jbox's daemon: Docker's Engine API over its Unix socket."""
    import http.client
    import socket

    class UnixConnection(http.client.HTTPConnection):
        def connect(self):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.connect(jbox_socket)

    c = UnixConnection("jbox")
    c.request(method, "/v1.41" + path, body=None if body is None else json.dumps(body), headers={"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status >= 300:
        raise RuntimeError(f"{method} {path}: {r.status} {data!r}")
    return json.loads(data) if data else None


def daemon_pids():
    """jbox's daemon on jbox_socket: its server and its keeper."""
    server = keeper = None
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace").split("\0")
        except OSError:
            continue
        if f"unix://{jbox_socket}" not in cmd:
            continue
        if cmd[0].endswith("jbox-keeper"):
            keeper = int(pid)
        elif "jbox.cli.Main" in cmd and "_daemon-server" in cmd:
            server = int(pid)
    return server, keeper


def rss_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def daemon_after_runs(n):
    """The daemon's memory after n containers run to their end and removed, one after another, once quiet:
    what it keeps from work done (issue 24's measure), apart from what idle containers hold."""
    server, keeper = daemon_pids()
    for _ in range(n):
        cid = api("POST", "/containers/create", {"Image": "busybox", "Cmd": ["true"], "HostConfig": {"NetworkMode": "none"}})["Id"]
        api("POST", f"/containers/{cid}/start")
        api("POST", f"/containers/{cid}/wait")
        api("DELETE", f"/containers/{cid}")
    time.sleep(7)  # the daemon gives back what a busy spell took once it has been quiet for 5 s
    return {"runs": n, "server_rss_kb": rss_kb(server), "keeper_rss_kb": rss_kb(keeper)}


def api_loop(count=None):
    """Starts idle containers through the Engine API for SECONDS, or until count have started."""
    ids = []
    server, keeper = daemon_pids()
    fds = lambda: len(os.listdir(f"/proc/{server}/fd"))
    seen = {}

    def start_all():
        seen["fds_before"] = fds()
        deadline = time.monotonic() + seconds
        while len(ids) < count if count is not None else time.monotonic() < deadline:
            try:
                cid = api("POST", "/containers/create", {"Image": "busybox", "Cmd": ["sleep", MARK], "HostConfig": {"NetworkMode": "none"}})["Id"]
            except (RuntimeError, OSError) as e:
                seen["stopped_by"] = str(e)[:300]  # a limit met (descriptors, memory, pids): reported, not a crash
                break
            ids.append(cid)
            try:
                api("POST", f"/containers/{cid}/start")
            except (RuntimeError, OSError) as e:
                seen["stopped_by"] = str(e)[:300]
                break
        time.sleep(1)
        seen["fds_idle"] = fds()
        return len(ids)

    def remove_all():
        for cid in ids:
            api("DELETE", f"/containers/{cid}?force=1")

    name = "jbox (the Engine API, one client, no CLI)" if count is None else f"jbox (the Engine API, {count} containers, as many as crun's loop)"
    r = measure(name, start_all, remove_all, [f"{work}/jbox-daemon-root/containers"])
    time.sleep(7)  # the daemon gives back what a busy spell took once it has been quiet for 5 s
    r["stopped_by"] = seen.get("stopped_by")
    if count is not None:
        r["as_many_as"] = "crun"
        return r
    r["daemon_fds_per_container"] = round((seen["fds_idle"] - seen["fds_before"]) / len(ids), 2) if ids else None
    # every run the daemon served so far (cases 1 and 2 and these), then removed: what it keeps
    r["daemon_runs"] = len(ids)
    r["daemon_server_rss_kb"], r["daemon_keeper_rss_kb"] = rss_kb(server), rss_kb(keeper)
    return r


loop = """
read start
deadline=$(( $(date +%s%N) / 1000000 + {ms} ))
n=0
while [ $(( $(date +%s%N) / 1000000 )) -lt $deadline ]; do
  {start} >/dev/null 2>&1 || break
  n=$((n+1))
done
echo STARTED $n
read go
t0=$(date +%s%N)
{remove}
echo REMOVED $(awk -v a=$t0 -v b=$(date +%s%N) 'BEGIN {{ printf "%.2f", (b-a)/1e9 }}')
"""

config = json.load(open(f"{work}/bundle/config.json"))
config["process"]["args"] = ["sleep", MARK]
config["root"]["path"] = "@ROOTFS@"
json.dump(config, open(f"{work}/config-sleep.json", "w"))

after_runs = daemon_after_runs(1000)
results = [api_loop()]
results[0]["daemon_after_runs"] = after_runs
results.append(run("jbox (docker CLI -> jbox daemon)", loop.format(
    ms=seconds * 1000,
    start=f"{jd} run -d --network=none busybox sleep {MARK}",
    remove=f"{jd} rm -f $({jd} ps -q) >/dev/null"), [f"{work}/jbox-daemon-root/containers"]))

# jbox's own CLI without a daemon: every container a child of the store's one monitor, which counts here
results.append(run("jbox run -d (its CLI, no daemon: one monitor)", loop.format(
    ms=seconds * 1000,
    start=f"{jbox} run -d --network=none busybox sleep {MARK}",
    remove=f"{jbox} rm -f $({jbox} ps -q) >/dev/null"), [f"{os.environ['JBOX_ROOT']}/containers"]))

results.append(run("podman run -d --network=none", loop.format(
    ms=seconds * 1000,
    start=f"{pm} run -d --network=none busybox sleep {MARK}",
    remove=f"{pm} rm -a -f -t 0 >/dev/null"), [f"{work}/podman/overlay-containers", f"{work}/podman-run"]))

# crun: each container on its own overlay over the busybox rootfs, in one private mount namespace
# without the cgroup2 mount (crun refuses this host's hybrid layout otherwise).
crun_start = f"""crun_one() {{
  d={work}/crun-d/$n; mkdir -p $d/upper $d/work $d/rootfs
  mount -t overlay overlay -o lowerdir={work}/bundle/rootfs,upperdir=$d/upper,workdir=$d/work $d/rootfs || return 1
  sed "s#@ROOTFS@#$d/rootfs#" {work}/config-sleep.json > $d/config.json
  crun --root {work}/crun-state run -d -b $d dens$n
}}; crun_one"""
crun_remove = f"""for id in $(crun --root {work}/crun-state list -q); do crun --root {work}/crun-state delete -f $id; done
for d in {work}/crun-d/*; do umount $d/rootfs 2>/dev/null; done"""
crun_script = "umount /sys/fs/cgroup/unified 2>/dev/null\n" + loop.format(ms=seconds * 1000, start=crun_start, remove=crun_remove)
results.append(run("crun run -d (shell loop, overlay each)",
                   f"exec unshare -m --propagation private bash -c {shlex.quote(crun_script)}",
                   [f"{work}/crun-d", f"{work}/crun-state"]))

# The kernel's memory per container grows with their number (for crun's loop and jbox alike, measured by hand:
# about 965 KB of objects at 400 containers, 983 at 2,000), so memory per container is compared at one count:
# jbox's daemon again, as many as crun's loop started.
if results[-1]["started"]:
    results.append(api_loop(count=results[-1]["started"]))

print(json.dumps(results))
