#!/usr/bin/env python3
"""Two forklore builds against plain Python, side by side, alternating.

    scripts/bench-compare.py OLD_FORKLORE NEW_FORKLORE [RUNS]

For each workload of benches/scripts, runs plain python (the real
interpreter, not a wrapper), `OLD run --headless` and `NEW run --headless`
one after the other, RUNS rounds (default 15), and prints the median wall
time of each and the median, min and max of the per-round ratio to plain.
Alternating keeps a busy machine's drift out of the comparison.
"""
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "benches", "scripts")
WORKLOADS = [
    ("Pool.map 1e5 items", "pool_map.py", "100000"),
    ("Pool.map 1e6 items", "pool_map.py", "1000000"),
    ("Lock acquire/release x 1e4", "lock_loop.py", "10000"),
    ("Lock acquire/release x 1e5", "lock_loop.py", "100000"),
]


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main():
    old, new = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    py = subprocess.check_output(["python3", "-c", "import sys; print(sys.executable)"], text=True).strip()
    print("python %s, %d alternating rounds" % (py, runs))
    print("| workload | plain (ms) | old (ms) | old / plain | new (ms) | new / plain (min-max) |")
    print("|---|---|---|---|---|---|")
    for label, script, arg in WORKLOADS:
        path = os.path.join(SCRIPTS, script)
        cmds = {
            "plain": [py, path, arg],
            "old": [old, "run", "--headless", "--python", py, path, "--", arg],
            "new": [new, "run", "--headless", "--python", py, path, "--", arg],
        }
        for cmd in cmds.values():  # warm caches
            timed(cmd)
        times = {k: [] for k in cmds}
        for _ in range(runs):
            for k, cmd in cmds.items():
                times[k].append(timed(cmd))
        med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
        ratio = {k: sorted(a / b for a, b in zip(times[k], times["plain"])) for k in ("old", "new")}
        print("| %s | %.1f | %.1f | %.2fx | %.1f | %.2fx (%.2f-%.2f) |" % (
            label, med["plain"], med["old"], statistics.median(ratio["old"]), med["new"],
            statistics.median(ratio["new"]), ratio["new"][0], ratio["new"][-1]))


if __name__ == "__main__":
    main()
