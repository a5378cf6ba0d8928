"""Slow motion: every `time.sleep` of the script lasts FORKLORE_SLOW times
longer (and, with --lines, the line is reported before the process sleeps)."""

import functools
import time

from . import core


def install():
    real_sleep = time.sleep

    @functools.wraps(real_sleep)
    def sleep(seconds):
        core.prelude()
        return real_sleep(seconds * core.SLOW)

    time.sleep = sleep
