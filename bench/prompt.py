"""Case 4: time from starting `jbox` (the shell) on a terminal to its first prompt, RUNS times, and to the
answer of a first command typed at once (`explain on`: the shell makes its engine and command tree while the
prompt waits, and a first command waits for them).
Usage: prompt.py JBOX RUNS; prints JSON with min and median seconds of each."""
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
        os.environ["JBOX_LANG"] = "en"  # the answer waited for is the English one
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))  # a new pty is 0x0
        os.execv(jbox, [jbox])
    seen = b""

    def wait_for(text, after=0):
        """Seconds since the start when text (colours taken out) shows after the given offset, and where it ends."""
        nonlocal seen
        while time.monotonic() - t0 < 30:
            plain = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", seen)
            at = plain.find(text, after)
            if at >= 0:
                return time.monotonic() - t0, at + len(text)
            r, _, _ = select.select([fd], [], [], 0.5)
            if r:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    break
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        raise SystemExit(f"the shell never showed {text!r}: " + seen.decode(errors="replace"))

    prompt, at = wait_for(b"jbox> ")
    os.write(fd, b"explain on\r")
    answer, at = wait_for(b"explain on: ", at)  # its answer, not the echo of the typed line
    wait_for(b"jbox> ", at)  # back at the prompt: a Ctrl-D typed while a command runs is the command's
    os.write(fd, b"\x04")  # Ctrl-D leaves the shell
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() - t0 > 60:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            raise SystemExit("the shell did not leave on Ctrl-D: " + seen.decode(errors="replace"))
        r, _, _ = select.select([fd], [], [], 0.5)  # never a read that blocks past the deadline
        if r:
            try:
                os.read(fd, 4096)  # what it prints as it leaves; a full pty would stop it
            except OSError:
                time.sleep(0.05)
    os.close(fd)
    return prompt, answer


once()  # warm-up: page cache, class-data archive
times = [once() for _ in range(runs)]
prompts, answers = [t[0] for t in times], [t[1] for t in times]
print(json.dumps({"min_s": min(prompts), "median_s": statistics.median(prompts),
                  "first_answer_min_s": min(answers), "first_answer_median_s": statistics.median(answers), "runs": runs}))
