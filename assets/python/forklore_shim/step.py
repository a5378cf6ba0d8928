"""Step mode: a process holds at its checkpoints until forklore lets it go.

forklore turns step mode on and off for the whole run through the first
byte of the run's control file (clock.py), which each process maps
read-only: a checkpoint reads it (`core.STEP[0]`). Without the file,
`core.STEP` stays b"\\0" and costs one index per checkpoint.

When the byte is 1, a process arriving at a checkpoint says what it is
about to do (a `want` event: the checkpoint's kind, its fields and the
user's line that called it), then blocks in a read of its own gate pipe
until forklore writes one byte: one go-ahead, one operation. The pipe's
write end went to forklore over the run's socket (SCM_RIGHTS) the first
time, so only forklore can let a process go; if forklore dies, the read
ends (EOF) and the program runs on by itself.

The go-ahead comes before the real operation: a timeout in the program
(`acquire(timeout=...)`, `get(timeout=...)`) starts counting only then.
While forklore waits for the learner to choose, it holds the run's clock
(clock.py): no time passes for the program, timeouts included.
"""

import os
from _struct import pack
from _thread import RLock, get_ident

from . import core

_lock = RLock()  # threads of a process hold one at a time
_owner = [None]  # the thread holding now (a signal handler's nested
# checkpoint in that thread goes through)


def install(control):
    """Hold at checkpoints while byte 0 of the run's control file (mapped
    by clock.install) says step mode is on."""
    core.STEP = control
    core.set_stepper(hold)


def hold(kind, body):
    """Say what this process is about to do, and wait for the go-ahead."""
    me = get_ident()
    if _owner[0] == me or not core.is_active():
        return
    with _lock:
        _owner[0] = me
        try:
            gate = _gate()
            if gate is None:
                return
            core.emit("want", '"what":"%s","at":{%s}%s' % (kind, body, _where()))
            _wait(gate)
        finally:
            _owner[0] = None


def _wait(gate):
    while True:
        try:
            os.read(gate, 1)  # one byte, or EOF once forklore is gone
            return
        except InterruptedError:  # pragma: no cover - Python retries it
            continue
        except OSError:
            return


def _gate():
    """This process's gate pipe's read end, passed to forklore the first time."""
    state = core.STATE
    if state.gate is None:
        r, w = os.pipe()  # both close-on-exec: no child inherits them by exec
        try:
            if not core.datagram(b"gate", pack("i", w)):
                os.close(r)
                return None
        finally:
            os.close(w)
        state.gate = r
    return state.gate


def _where():
    """The user's line that reached this checkpoint, as JSON members."""
    try:
        from . import callers

        frame = callers.user_frame()
    except Exception:
        frame = None
    if frame is None:
        return ""
    return ',"file":%s,"line":%d' % (core.jstr(core.os_text(frame.f_code.co_filename)), frame.f_lineno)
