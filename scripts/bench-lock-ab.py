#!/usr/bin/env python3
"""A/B: `with lock: pass` x 1e5 under two forklore builds and plain Python,
alternating in the same rounds.  scripts/bench-lock-ab.py NEW OLD [ROUNDS]"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

# The real interpreter, not a wrapper such as pyenv's python3.
py = subprocess.run(["python3", "-c", "import sys; print(sys.executable)"],
                    capture_output=True, text=True, check=True).stdout.strip()
loop = os.path.join(tempfile.mkdtemp(), "lock_loop.py")
with open(loop, "w") as f:
    f.write("import multiprocessing as mp\nlock = mp.Lock()\n"
            "for _ in range(100000):\n    with lock:\n        pass\n")
new, old = sys.argv[1], sys.argv[2]
cmds = {
    "plain": [py, loop],
    "new": [new, "run", "--headless", "--python", py, loop],
    "old": [old, "run", "--headless", "--python", py, loop],
}
times = {k: [] for k in cmds}
for k, c in cmds.items():
    subprocess.run(c, check=True)
for r in range(int(sys.argv[3]) if len(sys.argv) > 3 else 7):
    for k, c in cmds.items():
        t = time.perf_counter(); subprocess.run(c, check=True); times[k].append(time.perf_counter() - t)
med = {k: statistics.median(v) * 1000 for k, v in times.items()}
for k in cmds:
    print(f"{k:6} {med[k]:8.1f} ms  {med[k]/med['plain']:.2f}x  added/iter {(med[k]-med['plain'])*1000/100000:.2f} us")
