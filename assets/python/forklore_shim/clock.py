"""The run's clock: the program's time stands still while forklore holds it.

forklore holds a run while its processes are stopped (space, a narration
beat, a question: SIGSTOP of the group) and, in step mode, while it waits
for a choice: a process holds at a checkpoint and no step let go is under
way (docs/schedules.md). The wall clock runs on meanwhile, so a
`time.sleep(1)` or a `get(timeout=1)` would find its time up when the run
goes on, and the program would take another path than it does unobserved.
So the program measures **run time**: CLOCK_MONOTONIC minus the time
forklore held the run.

forklore says how long it held the run in the run's control file
(FORKLORE_CONTROL), which every process maps read-only; it exists only in
runs that can be held (the live screen, schedules). Its layout, the one
place it is written down on this side (src/runtime/control.rs is the other):

  byte  0       step mode on (1) or off (0): `core.STEP[0]`, see step.py
  bytes 8..16   seq, a seqlock: odd while forklore writes the two below
  bytes 16..24  frozen_total_ns: the time of the holds that have ended
  bytes 24..32  frozen_since_ns: CLOCK_MONOTONIC when the hold going on
                began; 0 while the run runs
  (64 bytes; the rest is zero)

Little-endian unsigned 64-bit integers. forklore writes the clock BEFORE
it lets the run go on (SIGCONT, a step's go-ahead).

With the file mapped, `install` makes `time.monotonic`, `time.perf_counter`
(and their `_ns`) read run time, `time.sleep` (pace.py) sleep in it, and
every timeout of multiprocessing wait in it (timeouts.py, and sync.py's
timed acquire): a wait the hold cut short is waited again for what is
left. multiprocessing computes its own deadlines with `time.monotonic()`
(Queue.get, connection.wait, Process.join, Condition.wait_for, Barrier),
so those follow by themselves. `time.time()` is the date and stays the
wall clock. Without the file nothing here is loaded.
"""

import os
import time

from _struct import Struct

from . import core

SIZE = 64
_SEQ = Struct("<Q").unpack_from
_CLOCK = Struct("<QQ").unpack_from
# How often a read may find forklore writing before it takes what it read:
# a write is three pwrite calls; only a forklore that died mid-write leaves
# the seqlock odd.
_TRIES = 1000

CONTROL = None  # the mapped control file, once `install` mapped it
_real_ns = time.monotonic_ns
_real_sleep = time.sleep
_last = [0]  # run time seen last by this process: it never goes back


def install():
    """Map the control file and put the program on run time. The mapping
    (also step mode's flag, `core.STEP`), or None if there is none."""
    global CONTROL
    path = core._env.get("FORKLORE_CONTROL")
    if not path:
        return None
    try:
        import mmap

        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            CONTROL = mmap.mmap(fd, SIZE, mmap.MAP_SHARED, mmap.PROT_READ)
        finally:
            os.close(fd)
    except (OSError, ValueError, ImportError):
        return None
    time.monotonic = monotonic
    time.monotonic_ns = run_ns
    time.perf_counter = monotonic
    time.perf_counter_ns = run_ns
    return CONTROL


def run_ns():
    """Run time now, in ns: CLOCK_MONOTONIC minus the time forklore held
    the run (a consistent snapshot of the control file, by its seqlock)."""
    control = CONTROL
    for _ in range(_TRIES):
        (seq,) = _SEQ(control, 8)
        total, since = _CLOCK(control, 16)
        now = _real_ns()
        if not seq & 1 and _SEQ(control, 8)[0] == seq:
            break
    t = (since or now) - total
    # A read racing a new hold may see a moment later than the hold's
    # start: never let the program's clock go back.
    last = _last[0]
    if t < last:
        return last
    _last[0] = t
    return t


def monotonic():
    """time.monotonic / perf_counter, in run time."""
    return run_ns() / 1e9


def waited(call, timeout, timed_out=None, expired=()):
    """`call(seconds)`, a real wait of at most `seconds` (wall time), as a
    wait of `timeout` seconds of run time: when it timed out (`timed_out`
    says so of its result, or it raised one of `expired`) while run time
    is left (the run was held meanwhile), it is called again with what is
    left. The first call gets `timeout` itself: a bad one fails as it
    would without forklore."""
    start = run_ns()
    wait = timeout
    while True:
        try:
            result = call(wait)
        except expired:
            wait = _left(start, timeout)
            if wait <= 0:
                raise
            continue
        if timed_out is None or not timed_out(result):
            return result
        wait = _left(start, timeout)
        if wait <= 0:
            return result


def _left(start, timeout):
    try:
        return float(timeout) - (run_ns() - start) / 1e9
    except (TypeError, ValueError, OverflowError):
        return 0.0


def sleep(seconds):
    """time.sleep in run time (always "timed out": it sleeps what is left)."""
    return waited(_real_sleep, seconds, _always)


def _always(_result):
    return True


def acquire(real, args, kwargs):
    """A SemLock's `acquire(block, timeout)` with a timeout, in run time."""
    if CONTROL is None:
        return real(*args, **kwargs)
    block = args[0] if args else kwargs.get("block", True)
    timeout = args[1] if len(args) > 1 else kwargs.get("timeout")
    if not block or timeout is None:  # no timeout to measure
        return real(*args, **kwargs)
    return waited(lambda t: real(block, t), timeout, _false)


def _false(result):
    return not result
