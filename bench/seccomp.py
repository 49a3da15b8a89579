"""Gives an OCI bundle's config.json the seccomp filter jbox, podman and docker give a container by default:
jbox's default profile (Docker's, in Docker's format, src/main/resources/jbox/seccomp-default.json) turned
into linux.seccomp for the config's capabilities on x86_64, as Docker hands it to its runtime. Without it
runc's and crun's containers would run unfiltered against jbox's filtered ones: the filter costs each a
program in kernel memory and its compilation at every start. Usage: seccomp.py CONFIG_JSON"""
import json
import os
import sys


def linux_seccomp(capabilities):
    here = os.path.dirname(os.path.abspath(__file__))
    profile = json.load(open(os.path.join(here, "..", "src", "main", "resources", "jbox", "seccomp-default.json")))
    caps, arches = set(capabilities), {"amd64", "x86", "x32"}
    rules = []
    for r in profile["syscalls"]:
        inc, exc = r.get("includes") or {}, r.get("excludes") or {}
        if not set(inc.get("caps", [])) <= caps or inc.get("arches") and not arches & set(inc["arches"]):
            continue
        if caps & set(exc.get("caps", [])) or arches & set(exc.get("arches", [])):
            continue
        rules.append({k: r[k] for k in ("names", "action", "args", "errnoRet") if r.get(k) is not None})
    return {"defaultAction": profile["defaultAction"], "defaultErrnoRet": profile["defaultErrnoRet"],
            "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], "syscalls": rules}


config = json.load(open(sys.argv[1]))
config["linux"]["seccomp"] = linux_seccomp(config["process"]["capabilities"]["bounding"])
json.dump(config, open(sys.argv[1], "w"))
