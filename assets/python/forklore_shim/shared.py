"""Shared memory (multiprocessing.sharedctypes): the script's reads and
writes of a Value's `.value`, its writes to an Array's items and its
slice reads of an Array. A write is announced BEFORE it happens, a read
reported after, with the value; ids are the wrapper's lock's (the same in
every process, and the id its get_lock() has in `sync` events). Raw values
(lock=False) have no wrapper and are not seen."""

from . import callers, core
from .sync import sem_id


def patch(mod):
    _patch_value(mod.Synchronized)
    _patch_array(mod.SynchronizedArray)


def _event(send, shared, kind, op, frame, method, value, index=None):
    try:
        key = sem_id(shared._lock)
        name = callers.name_in_frame(frame, shared, "v:" + key, method)
        body = core.fields(id=key, type=kind, name=name, op=op, value=core.safe_repr(value, 200))
        if index is not None:
            body += ',"index":%d' % index
        send("shared", body)
    except Exception as exc:
        core.shim_error("shared", exc)


def _patch_value(cls):
    real = cls.value

    def get(self):
        value = real.fget(self)
        user, frame = callers.caller_is_user(2)
        if user:
            _event(core.report, self, "Value", "read", frame, "value", value)
        return value

    def set(self, value):
        user, frame = callers.caller_is_user(2)
        if user:
            _event(core.checkpoint, self, "Value", "write", frame, "value", value)
        real.fset(self, value)

    cls.value = property(get, set, real.fdel, real.__doc__)


def _patch_array(cls):
    real_get = cls.__getitem__
    real_set = cls.__setitem__

    def __getitem__(self, i):
        value = real_get(self, i)
        # A whole slice is worth showing (`arr[:]`); single reads are not.
        if isinstance(i, slice):
            user, frame = callers.caller_is_user(2)
            if user:
                _event(core.report, self, "Array", "read", frame, "__getitem__", value)
        return value

    def __setitem__(self, i, value):
        user, frame = callers.caller_is_user(2)
        if user and isinstance(i, int):
            _event(core.checkpoint, self, "Array", "write", frame, "__setitem__", value, i)
        real_set(self, i, value)

    cls.__getitem__ = __getitem__
    cls.__setitem__ = __setitem__
