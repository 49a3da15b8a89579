"""Turns one bench run's raw results into bench/results/latest.md (tables and the targets, met or
missed), latest.json and chart.svg. Usage: report.py RAW_DIR OUT_DIR"""
import datetime
import json
import os
import platform
import sys

raw, dest = sys.argv[1], sys.argv[2]
os.makedirs(dest, exist_ok=True)


def load(name):
    with open(os.path.join(raw, name)) as f:
        return json.load(f)


def hyperfine(name):
    rows = []
    for r in load(name + ".json")["results"]:
        rows.append({"tool": r["command"], "min_ms": r["min"] * 1000, "median_ms": r["median"] * 1000})
    return rows


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
    return f"{cpu}, {os.cpu_count()} cores, {mem / 1024 / 1024:.0f} GiB, Linux {platform.release()}"


start, pull, version = hyperfine("start"), hyperfine("pull"), hyperfine("version")
oci_podman, oci_steps = hyperfine("oci-podman"), hyperfine("oci-steps")
rootless = hyperfine("rootless")
engine, prompt, density, phases = load("engine.json"), load("prompt.json"), load("density.json"), load("pull-phases.json")
by = lambda rows, prefix: next(r for r in rows if r["tool"].startswith(prefix))

start.insert(0, {"tool": "jbox engine: create+start+wait (warm JVM)", "min_ms": engine["engine_create_start_wait"]["min_ms"],
                 "median_ms": engine["engine_create_start_wait"]["median_ms"]})
start.insert(1, {"tool": "floor: posix_spawn+wait of /bin/true (same JVM)", "min_ms": engine["posix_spawn_wait"]["min_ms"],
                 "median_ms": engine["posix_spawn_wait"]["median_ms"]})
start.insert(2, {"tool": "floor: the same spawn from a new thread in fresh namespaces (mnt, uts, ipc, net, cgroup, pid)",
                 "min_ms": engine["namespaced_spawn_wait"]["min_ms"], "median_ms": engine["namespaced_spawn_wait"]["median_ms"]})
ref_start = by(start, "jbox run (cold CLI)")["median_ms"]
ref_pull = by(pull, "docker CLI -> jbox daemon")["median_ms"]

e, floor, ns_floor, crun = start[0]["median_ms"], start[1]["median_ms"], start[2]["median_ms"], by(start, "crun")["median_ms"]
jvm_floor, class_floor = by(version, "floor: the JVM")["median_ms"], by(version, "floor: the same")["median_ms"]
cold, podman, docker = ref_start, by(start, "podman")["median_ms"], by(start, "docker run")["median_ms"]
via_daemon = by(start, "docker CLI -> jbox daemon")["median_ms"]
skopeo = by(pull, "skopeo")["median_ms"]
d_jbox, d_crun = density[0], next(d for d in density if d["tool"].startswith("crun"))
d_cli = next((d for d in density if d["tool"].startswith("jbox run -d")), None)
# memory per container is compared at one count (it grows with the count): jbox's daemon run to crun's count, where the run has it
d_even = next((d for d in density if d.get("as_many_as") == "crun"), None)
daemon_mb = (d_jbox.get("daemon_server_rss_kb", 0) + d_jbox.get("daemon_keeper_rss_kb", 0)) / 1024
after_runs = d_jbox.get("daemon_after_runs")
after_runs_mb = (after_runs["server_rss_kb"] + after_runs["keeper_rss_kb"]) / 1024 if after_runs else None
prompt_s = prompt["median_s"]
pm_runc, pm_jbox = by(oci_podman, "podman run --rm (runc)")["median_ms"], by(oci_podman, "podman run --rm (jbox-runc)")["median_ms"]
steps = {r["tool"]: r["median_ms"] for r in oci_steps}
slowest_step = max((k for k in steps if k.startswith("jbox-runc")), key=lambda k: steps[k])


def target(what, ok, numbers):
    return {"target": what, "met": bool(ok), "numbers": numbers}


targets = [
    target("engine create+start+wait: at most half of crun run", e <= crun / 2, f"{e:.1f} ms vs crun {crun:.1f} ms (ratio {e / crun:.2f})"),
    target("engine create+start+wait: within 3x of posix_spawn+wait", e <= 3 * floor, f"{e:.1f} ms vs {floor:.2f} ms (ratio {e / floor:.1f}); "
           f"the spawn in fresh namespaces alone {ns_floor:.2f} ms ({ns_floor / floor:.1f}x)"),
    target("jbox run from a cold CLI: faster than podman and docker", cold < podman and cold < docker,
           f"{cold:.0f} ms vs podman {podman:.0f} ms, docker {docker:.0f} ms; the JVM as jbox starts it, only loading the classes "
           f"such a run loads: {class_floor:.0f} ms"),
    target("through the daemon: at least 2x faster than docker run", via_daemon * 2 <= docker,
           f"docker CLI -> jbox daemon {via_daemon:.0f} ms vs docker run {docker:.0f} ms (ratio {docker / via_daemon:.1f}x)"),
    target("pull (through the daemon): within 1.5x of skopeo", ref_pull <= 1.5 * skopeo,
           f"{ref_pull:.0f} ms vs skopeo {skopeo:.0f} ms (ratio {ref_pull / skopeo:.2f})"),
    target("pull, the work skopeo also does (fetching and checking, unpacking apart): within 1.5x of skopeo",
           phases["total"] - phases["unpack"] <= 1.5 * skopeo,
           f"{phases['total'] - phases['unpack']:.0f} ms vs skopeo {skopeo:.0f} ms (ratio {(phases['total'] - phases['unpack']) / skopeo:.2f}); "
           f"unpacking {phases['unpack']:.0f} ms more"),
    target("density: at least twice as many idle containers as crun's loop", d_jbox["started"] >= 2 * d_crun["started"],
           f"{d_jbox['started']} vs crun {d_crun['started']} in {d_jbox['seconds']} s"),
    target("density: memory beyond the process no more than crun's, at as many containers",
           d_even is not None and d_even["memory_beyond_process_kb"] is not None
           and d_even["memory_beyond_process_kb"] <= d_crun["memory_beyond_process_kb"],
           (f"{d_even['memory_beyond_process_kb']} KB vs crun {d_crun['memory_beyond_process_kb']} KB, {d_crun['started']} containers each "
            if d_even else "not measured at crun's count; ")
           + f"(at its own {d_jbox['started']}: {d_jbox['memory_beyond_process_kb']} KB)"),
    target("the daemon: at most 2 descriptors per idle container", d_jbox.get("daemon_fds_per_container") is not None
           and d_jbox["daemon_fds_per_container"] <= 2, f"{d_jbox.get('daemon_fds_per_container')} per container"),
    target("the daemon: server and keeper under 100 MB RSS after 1,000 runs", after_runs_mb is not None and after_runs_mb < 100,
           f"{after_runs_mb:.1f} MB (server {d_jbox['daemon_after_runs']['server_rss_kb'] / 1024:.1f}, keeper "
           f"{d_jbox['daemon_after_runs']['keeper_rss_kb'] / 1024:.1f}) after {d_jbox['daemon_after_runs']['runs']} runs; "
           f"{daemon_mb:.0f} MB after {d_jbox['started']} idle containers too, all removed" if after_runs_mb is not None else
           f"{daemon_mb:.0f} MB (server {d_jbox.get('daemon_server_rss_kb', 0) // 1024}, keeper {d_jbox.get('daemon_keeper_rss_kb', 0) // 1024}) "
           f"after {d_jbox['started']} idle containers and the other cases' runs"),
    target("without a daemon: memory per background container under 10 MB", d_cli is not None and d_cli["memory_beyond_process_kb"] is not None
           and d_cli["memory_beyond_process_kb"] < 10 * 1024,
           f"{d_cli['memory_beyond_process_kb'] if d_cli else None} KB per container, the monitor included, over {d_cli['started'] if d_cli else 0}"),
    target("density: disk under 16 KB per container", d_jbox["disk_kb"] is not None and d_jbox["disk_kb"] < 16,
           f"{d_jbox['disk_kb']} KB; the container's directory and the three overlayfs needs (upper, work, work/work) "
           f"take 4 KB each on ext4"),
    target("density: removing them all at least as fast as they started", d_jbox["remove_all_s"] is not None and d_jbox["remove_all_s"] <= d_jbox["seconds"],
           f"{d_jbox['remove_all_s']} s to remove, {d_jbox['seconds']} s to start"),
    target("podman with jbox-runc: within 2x of podman with runc", pm_jbox <= 2 * pm_runc,
           f"{pm_jbox:.0f} ms vs {pm_runc:.0f} ms (ratio {pm_jbox / pm_runc:.2f})"),
    target("jbox-runc state, start, kill, delete: each under 100 ms", steps[slowest_step] < 100,
           ", ".join(f"{k.split()[1]} {v:.0f} ms" for k, v in steps.items() if k.startswith("jbox-runc"))
           + " (runc: " + ", ".join(f"{k.split()[1]} {v:.0f} ms" for k, v in steps.items() if k.startswith("runc")) + ")"),
    target("jbox --version under 80 ms", version[0]["median_ms"] < 80, f"{version[0]['median_ms']:.0f} ms median; "
           f"the JVM as jbox starts it, running an empty main: {jvm_floor:.0f} ms"),
    target("shell prompt in under 200 ms", prompt_s < 0.2, f"{prompt_s * 1000:.0f} ms median"
           f" (a first command typed at once answered at {prompt['first_answer_median_s'] * 1000:.0f} ms)"),
]

when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
md = [f"# jbox benchmarks: {when}", "", f"Machine: {machine()}. All tools ran in this one run; compare ratios, not absolute times.", ""]


def table(title, rows, ref, ref_name):
    md.extend([f"## {title}", "", f"| tool | min (ms) | median (ms) | median / {ref_name} |", "|---|---:|---:|---:|"])
    for r in rows:
        md.append(f"| {r['tool']} | {r['min_ms']:.1f} | {r['median_ms']:.1f} | {r['median_ms'] / ref:.2f} |")
    md.append("")


table("1. Start to exit of `true` in a fresh container", start, ref_start, "jbox run (cold CLI)")
md.append("runc and crun run a prepared bundle (no image store, no state beyond theirs) with Docker's default seccomp filter, "
          "as jbox's engine, podman and docker load it; crun runs in a private mount namespace "
          "without the cgroup2 mount (it refuses this host's hybrid layout), which adds unshare and sh to its time. "
          "Every tool runs with --network=none: a new network namespace with only lo (jbox's default bridge adds a veth pair per container).\n")
table("2. Pull of busybox from a local registry into an empty store", pull, ref_pull, "jbox through its daemon")
md.append("skopeo copies into an OCI directory and unpacks nothing; jbox, podman and docker also unpack the layer.\n")
md.append(f"The same pull through jbox's daemon, taken apart by its own progress messages (median of {phases['runs']}, an API client, no CLI): "
          f"{phases['total']:.0f} ms in all, {phases['fetch']:.0f} ms until the layer is fetched and checked, "
          f"{phases['unpack']:.0f} ms unpacking it, {phases['after']:.0f} ms after (naming the image).\n")
md.extend(["## 3. Density: idle containers started one after another", "",
           "| tool | started | per second | memory beyond the process (KB) | the process (KB) | disk (KB) | remove all (s) |",
           "|---|---:|---:|---:|---:|---:|---:|"])
for d in density:
    md.append(f"| {d['tool']} | {d['started']} | {d['start_rate_per_s']} | {d['memory_beyond_process_kb']} | {d['process_kb']} | "
              f"{d['disk_kb']} | {d['remove_all_s']} |")
for d in density:
    if d.get("stopped_by"):
        md.append(f"\n{d['tool']} stopped before the time was up: {d['stopped_by']}")
md.extend(["", "Memory beyond the process: the growth of memory that is not free and not page cache (AnonPages, Shmem, "
           "KernelStack, PageTables, Percpu and VmallocUsed beyond the kernel stacks in /proc/meminfo, and the kernel's objects "
           "in use in /proc/slabinfo: active objects times their size, not the slab's pages, which a tool before leaves partly "
           "empty for the next to fill), "
           "less the sleep processes' own anonymous memory, per container: "
           "the kernel's namespaces, cgroups and mounts, plus any helper process or daemon state. It grows with the number of "
           "containers for every tool (the kernel's objects per container, measured by hand for crun's loop and jbox alike: "
           "about 965 KB at 400, 983 KB at 2,000), so jbox's daemon runs once more to as many as crun's loop started, and "
           "the memory target compares those two rows. crun's containers have the bundle's seccomp filter (case 1), as jbox's, "
           "podman's and docker's have one by default; its program is vmalloc memory, about 20 KB per container. Disk: the containers' directories (du --apparent-size), per container.", ""])
md.extend(["## 4. Start-up", "", "| what | min (ms) | median (ms) |", "|---|---:|---:|",
           f"| {version[0]['tool']} | {version[0]['min_ms']:.0f} | {version[0]['median_ms']:.0f} |",
           f"| jbox (the shell) to its prompt, on a pty | {prompt['min_s'] * 1000:.0f} | {prompt['median_s'] * 1000:.0f} |",
           f"| jbox (the shell) to the answer of `explain on`, typed at the prompt | {prompt['first_answer_min_s'] * 1000:.0f} "
           f"| {prompt['first_answer_median_s'] * 1000:.0f} |",
           *[f"| {r['tool']} | {r['min_ms']:.0f} | {r['median_ms']:.0f} |" for r in version[1:]], "",
           "The floors run bench/LoadClasses with the JVM's flags, class path and class-data archive exactly as the launcher "
           "gives them to jbox: a JVM that starts, loads what it is given and exits. A cold jbox command cannot take less "
           "than the floor under it.", ""])
table("5. jbox-runc as podman's runtime", oci_podman, pm_runc, "podman with runc")
table("5b. The runtime commands a caller runs one per step", oci_steps, steps["runc state"], "runc state")
md.append("state reads a created container; start, kill and delete each get a freshly created one (hyperfine --prepare, not timed). "
          "jbox-runc's quick steps are answered by its runtime service, which the create before them started; "
          "\"own JVM\" is a step with the service turned off (JBOX_RUNTIME_SERVICE=off).\n")
table("6. Without root: start to exit of `true`", rootless, by(rootless, "podman")["median_ms"], "podman rootless")
md.append("A user made for the run, busybox in its own stores; every command through runuser (root's too). jbox joins the user's "
          "namespace holder (jbox-ns rootless) before the JVM starts; podman re-executes itself in its own. Neither uses cgroups "
          "without root on this hybrid host.\n")
md.extend(["## Targets", "", "| target | met | numbers |", "|---|---|---|"])
for t in targets:
    md.append(f"| {t['target']} | {'yes' if t['met'] else 'no'} | {t['numbers']} |")
md.append("")
md.append("![chart](chart.svg)")

with open(os.path.join(dest, "latest.md"), "w") as f:
    f.write("\n".join(md) + "\n")
with open(os.path.join(dest, "latest.json"), "w") as f:
    json.dump({"when": when, "machine": machine(), "start": start, "pull": pull, "version": version, "prompt": prompt,
               "density": density, "oci_podman": oci_podman, "oci_steps": oci_steps, "rootless": rootless, "targets": targets}, f, indent=1)

# chart.svg: median times of cases 1 and 2 as horizontal bars, one panel each, jbox's bars blue
W, BAR, GAP, LEFT = 900, 18, 6, 330


def panel(y, title, rows):
    top = max(r["median_ms"] for r in rows)
    out = [f'<text x="10" y="{y + 16}" font-size="15" font-weight="bold">{title}</text>']
    y += 28
    for r in rows:
        w = max(1, (W - LEFT - 90) * r["median_ms"] / top)
        colour = "#2b6cb0" if "jbox" in r["tool"] else "#a0aec0"
        out.append(f'<text x="{LEFT - 8}" y="{y + 13}" font-size="12" text-anchor="end">{r["tool"]}</text>')
        out.append(f'<rect x="{LEFT}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{colour}"/>')
        out.append(f'<text x="{LEFT + w + 6:.1f}" y="{y + 13}" font-size="12">{r["median_ms"]:.1f} ms</text>')
        y += BAR + GAP
    return out, y + 14


parts, y = panel(10, "Start to exit of true (median)", start)
more, y = panel(y, "Pull of busybox into an empty store (median)", pull)
parts += more
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{y + 20}" font-family="sans-serif">',
       f'<rect width="100%" height="100%" fill="white"/>'] + parts + \
      [f'<text x="10" y="{y + 8}" font-size="11" fill="#555">{when}, {machine()}</text>', "</svg>"]
with open(os.path.join(dest, "chart.svg"), "w") as f:
    f.write("\n".join(svg) + "\n")
