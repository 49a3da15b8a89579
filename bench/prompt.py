"""Case 4: time from starting `jbox` (the shell) on a terminal to its first prompt, RUNS times.
Usage: prompt.py JBOX RUNS; prints JSON with min and median seconds."""
import fcntl
import json
import struct
import termios
import os
import pty
import re
import select
import statistics
import sys
import time

jbox, runs = sys.argv[1], int(sys.argv[2])


def once():
    t0 = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.setdefault("TERM", "xterm")
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))  # a new pty is 0x0
        os.execv(jbox, [jbox])
    seen = b""
    elapsed = None
    while time.monotonic() - t0 < 30:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        try:
            seen += os.read(fd, 4096)
        except OSError:
            break
        if b"jbox> " in re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", seen):  # the prompt, its colours taken out
            elapsed = time.monotonic() - t0
            break
    os.write(fd, b"\x04")  # Ctrl-D leaves the shell
    os.waitpid(pid, 0)
    os.close(fd)
    if elapsed is None:
        raise SystemExit("the shell never showed its prompt: " + seen.decode(errors="replace"))
    return elapsed


once()  # warm-up: page cache, class-data archive
times = [once() for _ in range(runs)]
print(json.dumps({"min_s": min(times), "median_s": statistics.median(times), "runs": runs}))
