"""Shared memory (multiprocessing.sharedctypes): the script's reads and
writes of a Value's `.value`, its writes to an Array's items and its
slice reads of an Array. A write is announced BEFORE it happens, a read
reported after, with the value; ids are the wrapper's lock's (the same in
every process, and the id its get_lock() has in `sync` events). Raw values
(lock=False) have no wrapper and are not seen.

A Value's `.value` is a hot path (`counter.value += 1` in a loop), and how
often two processes interleave between a read and a write depends on how
long each takes: the shim must not widen that window, or the program's
races would happen more often under forklore than without it. So a
Value's property takes its semaphore directly (as sharedctypes does, minus
the instrumented lock methods' detour: the acquire and release inside are
multiprocessing's own, never reported), the caller is judged from its
code object alone when it is known, and an int's event is a compact ring
record (core.emit_head) whose bytes were made once per Value and op.
"""

import sys
import weakref

from . import callers, core
from .sync import sem_id

_getframe = sys._getframe
_user_at = callers.user_at  # the user's frame that called, or None

# Per Value (by its semaphore's handle): (weakref to its lock, the read
# event's head, the write event's head). Kept weakly: a handle reused by a
# later Value is not taken for the old one, and no Value is kept alive.
_heads = {}


def patch(mod):
    _patch_value(mod.Synchronized)
    _patch_array(mod.SynchronizedArray)


def _heads_of(shared, frame):
    """(weakref, read head, write head): a Value's events up to their
    value. Made at a process's first access of the Value, BEFORE the
    access (its name is read from the user's code, which can take
    milliseconds the first time): not between a `+= 1`'s read and write."""
    lock = shared._lock
    handle = lock._semlock.handle
    entry = _heads.get(handle)
    if entry is not None and entry[0]() is lock:
        return entry
    key = sem_id(lock)
    name = callers.name_in_frame(frame, shared, "v:" + key, "value")
    heads = [
        ('{"kind":"shared",%s,"value":' % core.fields(id=key, type="Value", name=name, op=op)).encode()
        for op in ("read", "write")
    ]
    if len(_heads) > 4096:
        _heads.clear()
    entry = _heads[handle] = (weakref.ref(lock), heads[0], heads[1])
    return entry


def _body(shared, kind, op, frame, method, value):
    key = sem_id(shared._lock)
    name = callers.name_in_frame(frame, shared, "v:" + key, method)
    return core.fields(id=key, type=kind, name=name, op=op, value=core.safe_repr(value, 200))


def _patch_value(cls):
    real = cls.value

    def get(self):
        frame = _user_at(_getframe(1))
        try:
            semlock = self._lock._semlock
        except AttributeError:  # a lock of the user's own kind: as it was
            value = real.fget(self)
            if frame is not None:
                _send_slow(core.report, self, "read", value, frame)
            return value
        heads = None
        if frame is not None:
            try:
                heads = _heads_of(self, frame)
                if core._preludes or not core.STATE.announced:
                    core.prelude(frame)  # before the read: not in the race's window
                if core.STEP[0]:  # a read is a step: which write it sees
                    want = _body(self, "Value", "read", frame, "value", None)
                    core.checkpoint("shared", want, silent=True, frame=frame)
            except Exception as exc:
                core.shim_error("shared", exc)
        semlock.acquire()
        try:
            value = self._obj.value
        finally:
            semlock.release()
        if heads is not None:
            if type(value) is int:
                try:
                    core.emit_head(heads[1], value)
                except Exception as exc:
                    core.shim_error("shared", exc)
            else:
                _send_slow(core.report, self, "read", value, frame)
        return value

    def set(self, value):
        frame = _user_at(_getframe(1))
        try:
            semlock = self._lock._semlock
        except AttributeError:  # a lock of the user's own kind: as it was
            if frame is not None:
                _send_slow(core.checkpoint, self, "write", value, frame)
            return real.fset(self, value)
        if frame is not None:
            if type(value) is not int:
                _send_slow(core.checkpoint, self, "write", value, frame)
            elif _write_after(self, semlock, value, frame):
                return
            else:
                _write_checkpoint(self, value, frame)
        semlock.acquire()
        try:
            self._obj.value = value
        finally:
            semlock.release()

    cls.value = property(get, set, real.fdel, real.__doc__)


def _write_checkpoint(shared, value, frame):
    """Announce an int's write before it: a checkpoint (step mode may hold
    the process there)."""
    try:
        # Step mode's `want` says it in full; made only then.
        want = _body(shared, "Value", "write", frame, "value", value) if core.STEP[0] else ""
        core.checkpoint_head("shared", _heads_of(shared, frame)[2], value, want, frame)
    except Exception as exc:
        core.shim_error("shared", exc)


def _write_after(shared, semlock, value, frame):
    """Write the Value and report it afterwards, stamped with the moment
    before the write. Between `counter.value`'s read and its write is
    where another process slips in; announcing the write before it (as a
    checkpoint) would stretch that window by the event's cost, and races
    would happen more often than without forklore. False (nothing done)
    where the write must be a checkpoint (step mode, slow motion) or its
    lock is taken (the write would wait, holding back every event)."""
    ring = core.STATE.ring
    if ring is None or not core.free_running():
        return False
    try:
        head = _heads_of(shared, frame)[2]
        if core._preludes or not core.STATE.announced:
            core.prelude(frame)
    except Exception as exc:
        core.shim_error("shared", exc)
        return False
    if not semlock.acquire(False):
        return False
    t = ring.hold()
    try:
        shared._obj.value = value
    except BaseException:
        semlock.release()
        ring.unhold()
        raise
    semlock.release()
    try:
        core.emit_head(head, value, t, held=True)  # ends the hold
    except Exception as exc:  # the write happened: the program goes on
        core.shim_error("shared", exc)
    return True


def _send_slow(send, shared, op, value, frame):
    """A Value's event as JSON (a float, a str, or a lock of the user's)."""
    try:
        send("shared", _body(shared, "Value", op, frame, "value", value), frame=frame)
    except Exception as exc:
        core.shim_error("shared", exc)


def _patch_array(cls):
    real_get = cls.__getitem__
    real_set = cls.__setitem__

    def __getitem__(self, i):
        value = real_get(self, i)
        # A whole slice is worth showing (`arr[:]`); single reads are not.
        if isinstance(i, slice):
            user, frame = callers.caller_is_user(2)
            if user:
                _array_event(core.report, self, "read", frame, "__getitem__", value)
        return value

    def __setitem__(self, i, value):
        user, frame = callers.caller_is_user(2)
        if user and isinstance(i, int):
            _array_event(core.checkpoint, self, "write", frame, "__setitem__", value, i)
        real_set(self, i, value)

    cls.__getitem__ = __getitem__
    cls.__setitem__ = __setitem__


def _array_event(send, shared, op, frame, method, value, index=None):
    try:
        body = _body(shared, "Array", op, frame, method, value)
        if index is not None:
            body += ',"index":%d' % index
        send("shared", body)
    except Exception as exc:
        core.shim_error("shared", exc)
