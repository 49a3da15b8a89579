"""Case 2b: a pull through jbox's daemon taken apart by its own progress stream (Docker's: "Downloading",
"Extracting", "Pull complete" per layer), so the work skopeo also does (fetching and checking the blobs)
is seen apart from unpacking, which skopeo does not do. Each run removes the image first (not timed).
Usage: pull_phases.py SOCKET IMAGE RUNS; prints JSON with the median milliseconds of each phase."""
import http.client
import json
import socket
import statistics
import sys
import time
import urllib.parse

sock, image, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])


class UnixConnection(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(sock)


def call(method, path):
    c = UnixConnection("jbox")
    c.request(method, "/v1.41" + path)
    return c, c.getresponse()


def once():
    c, r = call("DELETE", "/images/" + urllib.parse.quote(image, safe="") + "?force=1")
    r.read()
    c.close()
    repo, tag = image.rsplit(":", 1) if ":" in image.rsplit("/", 1)[-1] else (image, "latest")
    t0 = time.monotonic()
    c, r = call("POST", "/images/create?fromImage=" + urllib.parse.quote(repo, safe="") + "&tag=" + tag)
    if r.status != 200:
        raise RuntimeError(f"pull: {r.status} {r.read()!r}")
    extracting = complete = None
    for line in r:  # one JSON message per line, flushed as the daemon goes
        status = json.loads(line).get("status", "")
        now = time.monotonic()
        if status == "Extracting" and extracting is None:
            extracting = now
        elif status == "Pull complete":
            complete = now
    end = time.monotonic()
    c.close()
    if extracting is None or complete is None:
        raise RuntimeError("the pull unpacked nothing: was the layer still in the store?")
    return {"total": end - t0, "fetch": extracting - t0, "unpack": complete - extracting, "after": end - complete}


once()  # warm-up: the daemon's first pull loads its code
samples = [once() for _ in range(runs)]
print(json.dumps({k: round(statistics.median(s[k] for s in samples) * 1000, 1) for k in samples[0]} | {"runs": runs}))
