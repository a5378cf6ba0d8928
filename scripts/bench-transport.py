#!/usr/bin/env python3
"""The event transport's benchmarks (issue 11), plain Python side by side.

    scripts/bench-transport.py NEW_FORKLORE [OLD_FORKLORE] [--rounds N] [--quick]

    e.g. cargo build --release &&
         scripts/bench-transport.py target/release/forklore /work/wt-base/target/release/forklore

Everything runs against the REAL interpreter (`python3 -c 'import sys;
print(sys.executable)'`), not a wrapper such as pyenv's `python3`, and every
contender of a measurement runs once per round, one after the other
(plain, new, old, viztracer, plain, new, ...), so a busy machine's drift
hits all of them alike. Each command runs once untimed first (warm caches;
for a forklore build that run is recorded with --record to count events).
--rounds defaults to 11; --quick means tiny sizes and 2 rounds, for checking
that the script works, not for figures.

What is printed (all markdown tables):

1. Workloads: median wall time of plain python and of each forklore build
   (`run --headless --python REAL`), and the per-round ratio to plain
   (median, min-max). "events" is how many events the shim sent in the
   recorded run (what forklore makes itself, output and the run's end, not
   counted); "µs added / event" is (median forklore - median plain) /
   events, the added cost per event, shown where there are at least 1,000
   events (with fewer it is the fixed per-run cost spread thin). For the Lock loop the µs added per acquire+release
   is printed below the table; for `pass` the fixed per-run cost, the
   median of per-round (forklore - plain), in ms. VizTracer (pip-installed
   into a throwaway venv, skipped with a note if that fails) runs in the
   same rounds on the Pool.map 1e5 and 1e6 workloads.
2. Ingest: benches/scripts/flood.py, N senders x M events each (sent
   straight to the transport). events/s = N*M / (t(M) - t(0)) per round,
   where t(0) is the same run with no events (interpreters, forks,
   forklore's setup), so only the events' own time counts. The recorded
   warm-up run must hold all N*M events once, else the script stops.
3. Peak RSS of the forklore process alone: its /proc/PID/status VmHWM,
   sampled every 20 ms while it runs. (`/usr/bin/time -f %M` is not used:
   wait4 reports the largest RSS of the whole tree, i.e. the Python
   processes forklore reaped, not forklore's own.)
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.normpath(os.path.join(HERE, "..", "benches", "scripts"))

# Event kinds forklore makes itself (output pipes, reaper, run control):
# they never cross the transport, so they do not count as events sent.
FORKLORE_KINDS = {"write", "proc_gone", "run_end", "run_paused", "run_resumed", "too_many_procs"}

# Below this many events "µs added / event" is left blank.
MIN_EVENTS = 1000


def sizes(quick):
    """Workload sizes: the issue's, or tiny ones for --quick."""
    if quick:
        return dict(lock=1000, pool_cs1=1000, pool=1000, pool_big=10000, value=(4, 300),
                    flood=2000, rss_pool=10000, rss_print=3)
    return dict(lock=100000, pool_cs1=100000, pool=100000, pool_big=1000000, value=(4, 5000),
                flood=200000, rss_pool=1000000, rss_print=30)


def workloads(s):
    """(label, script, args, viztracer too?) for each row of the issue's table."""
    return [
        ("`pass` (fixed per-run cost)", "trivial.py", [], False),
        ("`with lock: pass` x %d" % s["lock"], "lock_loop.py", [s["lock"]], False),
        ("Pool(2).map x %d, chunksize=1" % s["pool_cs1"], "pool_map.py", [s["pool_cs1"], 1], False),
        ("Pool(2).map x %d" % s["pool"], "pool_map.py", [s["pool"]], True),
        ("Pool(2).map x %d" % s["pool_big"], "pool_map.py", [s["pool_big"]], True),
        ("Value.get_lock() counter, %d procs x %d" % s["value"], "value_counter.py", list(s["value"]), False),
    ]


# --- commands -------------------------------------------------------------

def real_python():
    out = subprocess.check_output(["python3", "-c", "import sys; print(sys.executable)"], text=True)
    return out.strip()


def plain_cmd(py):
    return lambda script, args, record=None: [py, script] + [str(a) for a in args]


def forklore_cmd(binary, py):
    def cmd(script, args, record=None):
        extra = ["--record", record] if record else []
        return [binary, "run", "--headless", "--python", py] + extra + [script, "--"] + [str(a) for a in args]
    return cmd


def viztracer_cmd(vt, out):
    return lambda script, args, record=None: [vt, "--quiet", "-o", out, script] + [str(a) for a in args]


def run(cmd):
    """Runs cmd to completion, output discarded; a failure stops the bench
    with the command's stderr, since a figure from a failed run is wrong."""
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit("failed (exit %d): %s\n%s" % (proc.returncode, " ".join(cmd), proc.stderr[-2000:]))


def timed(cmd):
    start = time.perf_counter()
    run(cmd)
    return time.perf_counter() - start


def count_events(path):
    """Events in a recording that crossed the transport, by kind."""
    counts = {}
    with open(path) as f:
        for line in f:
            # The kind is the first field; a substring beats json.loads on
            # recordings of millions of lines.
            kind = line[len('{"kind":"'):line.index('"', len('{"kind":"'))]
            if kind not in FORKLORE_KINDS:
                counts[kind] = counts.get(kind, 0) + 1
    return counts


# --- measuring ------------------------------------------------------------

def alternate(contenders, script, args, rounds, tmp):
    """Times every contender once per round, in turn. Returns
    {name: [seconds per round]} and {name: events in its recorded warm-up}."""
    script = os.path.join(SCRIPTS, script)
    events = {}
    for name, (cmd, records) in contenders.items():
        if records:
            rec = os.path.join(tmp, "warmup.jsonl")
            run(cmd(script, args, rec))
            events[name] = sum(count_events(rec).values())
            os.remove(rec)
        else:
            run(cmd(script, args))
    times = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, (cmd, _) in contenders.items():
            times[name].append(timed(cmd(script, args)))
    return times, events


def med_ms(seconds):
    return statistics.median(seconds) * 1e3


def ratios(times, base):
    r = [a / b for a, b in zip(times, base)]
    return statistics.median(r), min(r), max(r)


def workload_table(py, builds, vt, s, rounds, tmp):
    print("| workload | plain (ms) | build | build (ms) | build / plain, median (min-max) | events | µs added / event |")
    print("|---|---|---|---|---|---|---|")
    notes = []
    for label, script, args, with_vt in workloads(s):
        contenders = {"plain": (plain_cmd(py), False)}
        contenders.update({name: (cmd, True) for name, cmd in builds.items()})
        if with_vt and vt:
            contenders["viztracer"] = (vt, False)
        times, events = alternate(contenders, script, args, rounds, tmp)
        plain = times["plain"]
        for name in contenders:
            if name == "plain":
                continue
            added = statistics.median(times[name]) - statistics.median(plain)
            n = events.get(name)
            # With few events the added time is the fixed per-run cost, not theirs.
            per_event = "%.2f" % (added * 1e6 / n) if n and n >= MIN_EVENTS else "-"
            print("| %s | %.1f | %s | %.1f | %.2fx (%.2f-%.2f) | %s | %s |" % (
                (label, med_ms(plain), name, med_ms(times[name])) + ratios(times[name], plain)
                + (n if n is not None else "-", per_event)))
            if script == "trivial.py":
                diffs = [(a - b) * 1e3 for a, b in zip(times[name], plain)]
                notes.append("fixed per-run cost, %s: %.1f ms (median of per-round differences; %.1f-%.1f)" % (
                    name, statistics.median(diffs), min(diffs), max(diffs)))
            if script == "lock_loop.py":
                notes.append("Lock, %s: %.2f µs added per acquire+release" % (name, added * 1e6 / args[0]))
    print()
    for note in notes:
        print("- " + note)


def ingest_table(builds, s, rounds, tmp):
    m = s["flood"]
    print("| senders | build | events | run with events (ms) | run without (ms) | events/s, median (min-max) |")
    print("|---|---|---|---|---|---|")
    script = os.path.join(SCRIPTS, "flood.py")
    for senders in (1, 4, 8):
        for name, cmd in builds.items():
            check_flood(cmd, script, senders, m, tmp)
            full, empty = [], []
            for _ in range(rounds):
                full.append(timed(cmd(script, [senders, m])))
                empty.append(timed(cmd(script, [senders, 0])))
            # A round where the flood ran no slower than the empty run
            # (noise, at tiny sizes) has no rate; say how many are left.
            rates = sorted(senders * m / (f - e) for f, e in zip(full, empty) if f > e)
            rate = "%.0f (%.0f-%.0f)" % (statistics.median(rates), rates[0], rates[-1]) if rates else "n/a"
            if len(rates) < rounds:
                rate += ", %d of %d rounds" % (len(rates), rounds)
            print("| %d | %s | %d | %.1f | %.1f | %s |" % (
                senders, name, senders * m, med_ms(full), med_ms(empty), rate))


def check_flood(cmd, script, senders, m, tmp):
    """The recorded warm-up must hold every flood event once: a rate of
    events that did not all arrive would flatter the transport."""
    rec = os.path.join(tmp, "flood.jsonl")
    run(cmd(script, [senders, m], rec))
    got = count_events(rec).get("line", 0)
    os.remove(rec)
    if got != senders * m:
        sys.exit("flood.py %d x %d: recording holds %d line events, expected %d" % (senders, m, got, senders * m))


def peak_rss_kb(cmd):
    """forklore's own VmHWM (peak RSS, kB), read from /proc while it runs:
    the high-water mark only grows, so the last read is the peak up to
    20 ms before exit."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        try:
            with open("/proc/%d/status" % proc.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError):
            pass  # exited between poll() and open()
        time.sleep(0.02)
    if proc.returncode != 0:
        sys.exit("failed (exit %d): %s" % (proc.returncode, " ".join(cmd)))
    return peak


def rss_table(builds, s):
    runs = [
        ("Pool(2).map x %d, chunksize=1" % s["rss_pool"], "pool_map.py", [s["rss_pool"], 1]),
        ("print flood, %d s" % s["rss_print"], "print_flood.py", [s["rss_print"]]),
    ]
    print("| run | build | forklore peak RSS (MB) |")
    print("|---|---|---|")
    for label, script, args in runs:
        for name, cmd in builds.items():
            kb = peak_rss_kb(cmd(os.path.join(SCRIPTS, script), args))
            print("| %s | %s | %.1f |" % (label, name, kb / 1024))


# --- VizTracer --------------------------------------------------------------

def install_viztracer(py, tmp):
    """viztracer in a throwaway venv of the real interpreter, or None with a
    note: the bench must still run where PyPI cannot be reached."""
    env = os.path.join(tmp, "venv")
    try:
        subprocess.run([py, "-m", "venv", env], check=True, capture_output=True)
        pip = [os.path.join(env, "bin", "python"), "-m", "pip", "install", "--quiet", "viztracer"]
        subprocess.run(pip, check=True, capture_output=True, timeout=300)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        detail = getattr(e, "stderr", b"") or b""
        print("note: VizTracer not installed, skipped (%s)\n" % detail.decode(errors="replace").strip()[-300:])
        return None
    version = subprocess.check_output([os.path.join(env, "bin", "viztracer"), "--version"], text=True).strip()
    print("VizTracer %s in a throwaway venv\n" % version)
    return viztracer_cmd(os.path.join(env, "bin", "viztracer"), os.path.join(tmp, "viztracer.json"))


# --- main -------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("new", help="forklore binary under test")
    ap.add_argument("old", nargs="?", help="forklore binary to compare with")
    ap.add_argument("--rounds", type=int, help="alternating rounds (default 11, 2 with --quick)")
    ap.add_argument("--quick", action="store_true", help="tiny sizes and 2 rounds: checks the script works")
    a = ap.parse_args()
    rounds = a.rounds or (2 if a.quick else 11)
    s = sizes(a.quick)
    py = real_python()
    builds = {"new": forklore_cmd(os.path.abspath(a.new), py)}
    if a.old:
        builds["old"] = forklore_cmd(os.path.abspath(a.old), py)

    print("python %s; %d alternating rounds%s; %s" % (
        py, rounds, " (--quick: tiny sizes, not figures)" if a.quick else "",
        ", ".join("%s = %s" % (k, v) for k, v in (("new", a.new), ("old", a.old)) if v)))
    tmp = tempfile.mkdtemp(prefix="bench-transport-")
    try:
        vt = install_viztracer(py, tmp)
        print("## Workloads\n")
        workload_table(py, builds, vt, s, rounds, tmp)
        print("\n## Ingest (flood.py, %d events per sender)\n" % s["flood"])
        ingest_table(builds, s, rounds, tmp)
        print("\n## Peak RSS of forklore\n")
        rss_table(builds, s)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
