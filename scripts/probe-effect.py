#!/usr/bin/env python3
"""How often each race lesson's race happens under forklore, against plain
Python with the same parameters, side by side (issue 19: "the probe
effect").

    scripts/probe-effect.py FORKLORE [--runs N] [--only SLUG ...] [--python PY]

    e.g. cargo build --release && scripts/probe-effect.py target/release/forklore

For each lesson that shows a race, its script runs N times under plain
python3 and N times under `forklore lesson SLUG --headless` (no pacing),
alternating (plain, forklore, plain, ...), both with the lesson's default
parameters (or those given below). Plain python3 runs as a learner runs it:
in a terminal (a pseudo-terminal here, so its output is line-buffered as at
home) and without PYTHONUNBUFFERED, which this machine sets globally.

The statistic is computed the same way for both, from the program's own
output (nothing forklore adds): the fraction of increments or updates
lost, of lines garbled, the tickets sold beyond those for sale, the
largest number of items the buffer held. The table gives each side's
median and the ratio forklore / plain; a lesson passes when the ratio is
within 1.5 either way (both 0 passes; one 0 and the other not fails).

Everything runs against the REAL interpreter (`python3 -c 'import sys;
print(sys.executable)'`), not a wrapper such as pyenv's `python3`.
"""
import argparse
import os
import pty
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LESSONS = os.path.normpath(os.path.join(HERE, "..", "lessons"))

# The widest the ratio may be, either way.
FACTOR = 1.5


def lost_fraction(out):
    """value-array: `counter: X of Y expected`."""
    m = re.search(r"counter: (\d+) of (\d+) expected", out)
    return None if not m else 1 - int(m.group(1)) / int(m.group(2))


def lost_updates(processes):
    """manager-dict: `lost updates: N` of `processes` subtractions."""

    def stat(out):
        m = re.search(r"lost updates: (\d+)", out)
        return None if not m else int(m.group(1)) / processes

    return stat


def oversold(out):
    """ticket-race: tickets bought beyond those for sale."""
    m = re.search(r"tickets for sale: (\d+)", out)
    if not m:
        return None
    bought = len(re.findall(r"bought a ticket", out))
    return max(0, bought - int(m.group(1)))


def garbled(lines_expected):
    """lock-vs-garbled: the share of lines that are not one whole
    `Pid: N LoopCount: K ... done` (a progress line printed in pieces)."""

    def stat(out):
        clean = re.findall(r"^Pid: \d+ LoopCount: \d+ \.\.\. done$", out, re.M)
        return 1 - len(clean) / lines_expected

    return stat


def buffer_peak(out):
    """semaphore-producer-consumer: the most items produced and not yet
    consumed, as the output tells it."""
    held = peak = 0
    for line in out.splitlines():
        if " produced " in line:
            held += 1
        elif " consumed " in line:
            held -= 1
        peak = max(peak, held)
    return peak


# slug, folder, the script's arguments (both sides get the same), statistic.
# The lock variants too: a race that cannot happen must not happen here.
RACES = [
    ("value-array", "15-value-array", [], lost_fraction),
    ("value-array", "15-value-array", ["--lock", "true"], lost_fraction),
    ("manager-dict", "05-manager-dict", [], lost_updates(100)),
    ("manager-dict", "05-manager-dict", ["--lock", "true"], lost_updates(100)),
    ("ticket-race", "10-ticket-race", [], oversold),
    ("ticket-race", "10-ticket-race", ["--lock", "true"], oversold),
    ("lock-vs-garbled", "03-lock-vs-garbled", [], garbled(5 * 10)),
    ("lock-vs-garbled", "03-lock-vs-garbled", ["--lock", "true"], garbled(5 * 10)),
    ("semaphore-producer-consumer", "04-semaphore-producer-consumer", ["--seconds", "3"], buffer_peak),
]


def real_python(python):
    out = subprocess.run([python, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True)
    return out.stdout.strip() or python


def in_terminal(cmd, env):
    """Run `cmd` with its stdout and stderr a pseudo-terminal; its output."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: every writer closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    proc.wait()
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def plain(python, folder, args):
    env = dict(os.environ)
    env.pop("PYTHONUNBUFFERED", None)
    return in_terminal([python, os.path.join(LESSONS, folder, "main.py")] + args, env)


def under_forklore(forklore, python, slug, folder, args):
    sets = []
    for name, value in zip(args[::2], args[1::2]):
        sets += ["--set", "%s=%s" % (name.lstrip("-"), value)]
    cmd = [forklore, "lesson", slug, "--headless", "--python", python] + sets
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace")
    return out.stdout


def verdict(p, f):
    if p == 0 and f == 0:
        return "yes (both 0)"
    if p == 0 or f == 0:
        return "NO"
    ratio = f / p
    return "yes" if 1 / FACTOR <= ratio <= FACTOR else "NO"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("forklore")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--python", default="python3")
    opts = ap.parse_args()
    python = real_python(opts.python)
    forklore = os.path.abspath(opts.forklore)
    print("| lesson | parameters | plain python3, median (min-max) | forklore, median (min-max) | forklore / plain | within %.1fx |" % FACTOR)
    print("|---|---|---|---|---|---|")
    for slug, folder, args, stat in RACES:
        if opts.only and slug not in opts.only:
            continue
        got = {"plain": [], "forklore": []}
        for i in range(opts.runs):
            for side in ("plain", "forklore"):
                out = plain(python, folder, args) if side == "plain" else under_forklore(forklore, python, slug, folder, args)
                value = stat(out)
                if value is None:
                    sys.exit("%s (%s): no statistic in its output:\n%s" % (slug, side, out[-2000:]))
                got[side].append(value)
            print("  %s: %d/%d" % (slug, i + 1, opts.runs), file=sys.stderr, end="\r")
        p, f = (statistics.median(got[s]) for s in ("plain", "forklore"))
        ratio = "-" if p == 0 else "%.2f" % (f / p)

        def show(values, m):
            return "%.3g (%.3g-%.3g)" % (m, min(values), max(values))

        print(
            "| %s | %s | %s | %s | %s | %s |"
            % (slug, " ".join(args) or "defaults", show(got["plain"], p), show(got["forklore"], f), ratio, verdict(p, f))
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
