"""Case 3, density: each tool starts idle containers (sleep) one after another for SECONDS, then
stops. Reported per tool: how many started, memory per container beyond its own process (the fall
in MemAvailable less the sleep processes' RSS, over n), disk per container, and the time to remove
them all. Usage: density.py SECONDS WORKDIR DOCKER_CLI_TO_JBOX PODMAN_COMMAND; prints JSON."""
import json
import os
import shlex
import subprocess
import sys
import time

seconds, work, jd, pm = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
MARK = "3600"  # the sleep every idle container runs, to find their processes


def mem_available_kb():
    for line in open("/proc/meminfo"):
        if line.startswith("MemAvailable:"):
            return int(line.split()[1])


def sleepers_rss_kb():
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
            if len(cmd) >= 2 and cmd[0].endswith(b"sleep") and cmd[1] == MARK.encode():
                for line in open(f"/proc/{pid}/status"):
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def du_kb(paths):
    out = subprocess.run(["du", "-sk", "--apparent-size", *paths], capture_output=True, text=True).stdout
    return sum(int(l.split()[0]) for l in out.splitlines() if l.strip())


def run(name, script, disk_paths):
    """script: bash that starts containers until its deadline, prints STARTED n, reads a line, removes them, prints REMOVED s."""
    subprocess.run(["sync"])
    time.sleep(2)
    before = mem_available_kb()
    p = subprocess.Popen(["bash", "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    n = 0
    for line in p.stdout:
        if line.startswith("STARTED"):
            n = int(line.split()[1])
            break
    time.sleep(2)
    after = mem_available_kb()
    rss = sleepers_rss_kb()
    disk = du_kb([d for d in disk_paths if os.path.exists(d)])
    p.stdin.write("go\n")
    p.stdin.flush()
    removed = None
    for line in p.stdout:
        if line.startswith("REMOVED"):
            removed = float(line.split()[1])
    p.wait()
    per = lambda x: round(x / n, 1) if n else None
    return {"tool": name, "seconds": seconds, "started": n,
            "memory_beyond_process_kb": per(before - after - rss), "process_rss_kb": per(rss),
            "disk_kb": per(disk), "remove_all_s": removed, "start_rate_per_s": round(n / seconds, 1)}


loop = """
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

results = []
results.append(run("jbox (docker CLI -> jbox daemon)", loop.format(
    ms=seconds * 1000,
    start=f"{jd} run -d busybox sleep {MARK}",
    remove=f"{jd} rm -f $({jd} ps -q) >/dev/null"), [f"{work}/jbox-daemon-root/containers"]))

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

print(json.dumps(results))
