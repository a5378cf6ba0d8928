"""Slow motion, by FORKLORE_SLOW = F; `time.sleep` as a checkpoint in step
mode, and in run time where forklore can hold the run (clock.py).

* Every `time.sleep` of the script lasts F times longer (and, with
  --lines, the line is reported before the process sleeps).
* For F > 1, a gate (core.add_gate) makes every checkpoint wait (F - 1)
  times the CPU time the process used since its previous checkpoint, so a
  program that computes without ever sleeping is stretched about F times
  too. CPU time, not wall time: sleeping (stretched above already),
  waiting for a lock, a queue or a child, and being paused by forklore are
  not work, and are not stretched again. One wait is at most MAX_WAIT
  seconds. The waits happen at checkpoints only, before the real
  operation: the program's output and results do not change.
"""

import functools
import os
import time

from . import core

MAX_WAIT = 10.0

# This process's CPU time at its previous checkpoint (reset in a fork
# child, whose CPU time starts again from zero).
_mark = [0.0]


def _reset():
    _mark[0] = time.process_time()


def _stretch(kind, body):
    worked = time.process_time() - _mark[0]
    wait = (core.SLOW - 1.0) * worked
    if wait > 0:
        core.real_sleep(min(wait, MAX_WAIT))
    _reset()


def install(run_sleep=None):
    """`run_sleep`: how a run forklore can hold sleeps (clock.sleep: in run
    time, so a pause does not shorten it); else the real sleep."""
    real_sleep = time.sleep
    slept = run_sleep or real_sleep

    @functools.wraps(real_sleep)
    def sleep(seconds):
        if core.STEP[0]:  # in step mode, a sleep is a step too
            core.checkpoint("sleep", '"seconds":%s' % core.jval(seconds), silent=True)
        else:
            core.prelude()
        return slept(seconds * core.SLOW)

    time.sleep = sleep
    if core.SLOW > 1.0:
        _reset()
        os.register_at_fork(after_in_child=_reset)
        core.add_gate(_stretch)
