"""Locks, RLocks, Semaphores and Conditions (multiprocessing.synchronize).

`SemLock._make_methods` binds `acquire`/`release` as instance attributes
and `SemLock.__enter__` calls the C lock directly, so the patch wraps each
instance's methods (both `__init__` and `__setstate__` call
`_make_methods`) and routes `with lock:` through them.
"""

from . import callers, core

_labels = {}  # semlock id -> "Condition" for a Condition's own lock
_kinds = {}  # class -> the multiprocessing class it is (or derives from)


def kind(lock):
    """`Lock`, `RLock`, `Semaphore`...: a user's subclass counts as its base."""
    cls = type(lock)
    name = _kinds.get(cls)
    if name is None:
        bases = [c.__name__ for c in cls.__mro__ if c.__module__ == "multiprocessing.synchronize"]
        name = _kinds[cls] = bases[0] if bases else cls.__name__
    return name


def sem_id(lock):
    """An id that is the same in every process and for the object's life:
    the semaphore's name (spawn/forkserver) or its sem_t handle (fork)."""
    sl = lock._semlock
    name = getattr(sl, "name", None)
    return name if name else "h%x" % sl.handle


def _value(lock):
    try:
        return lock._semlock._get_value()
    except Exception:
        return None


def _fields(lock, key, op, frame, value):
    label = _labels.get(key) or kind(lock)
    if label == "Condition":
        name = callers.name_in_frame(frame, lock, key, lambda v: getattr(v, "_lock", None) is lock)
    else:
        name = callers.name_in_frame(frame, lock, key)
    return {"id": key, "type": label, "name": name, "op": op, "value": value}


def _report(lock, key, op, frame):
    try:
        core.report("sync", **_fields(lock, key, op, frame, _value(lock)))
    except Exception as exc:
        core.shim_error("sync", exc)


def _instrument(lock):
    real_acquire = lock.acquire
    real_release = lock.release
    key = sem_id(lock)  # computed once, not at every acquire

    def acquire(*args, **kwargs):
        try:
            user, frame = callers.caller_is_user(2)
        except Exception as exc:
            core.shim_error("sync", exc)
            user = False
        if not user:
            return real_acquire(*args, **kwargs)
        core.checkpoint("sync", silent=True, **_fields(lock, key, "acquire", frame, None))
        block = args[0] if args else kwargs.get("block", True)
        if real_acquire(False):
            _report(lock, key, "acquired", frame)
            return True
        if not block:
            return False
        _report(lock, key, "blocked", frame)
        got = real_acquire(*args, **kwargs)
        _report(lock, key, "acquired" if got else "timeout", frame)
        return got

    def release():
        try:
            user, frame = callers.caller_is_user(2)
            if user and _release_would_succeed(lock):
                # Before the real release, so it precedes the next taker's acquire.
                fields = _fields(lock, key, "released", frame, _value_after_release(lock))
                core.checkpoint("sync", **fields)
        except Exception as exc:
            core.shim_error("sync", exc)
        return real_release()

    lock.acquire = acquire
    lock.release = release


def _release_would_succeed(lock):
    sl = lock._semlock
    name = kind(lock)
    if name == "RLock":
        return sl._is_mine()
    if name == "Lock":
        return sl._get_value() < 1
    return sl._get_value() < sl.maxvalue


def _value_after_release(lock):
    sl = lock._semlock
    if kind(lock) == "RLock":
        return 1 if sl._count() == 1 else 0
    return sl._get_value() + 1


def _semlock_enter(self):
    return self.acquire()


def _semlock_exit(self, *exc):
    return self.release()


callers.add_passthrough(_semlock_enter)
callers.add_passthrough(_semlock_exit)


def patch(mod):
    semlock = mod.SemLock
    real_make_methods = semlock._make_methods

    def _make_methods(self):
        real_make_methods(self)
        try:
            _instrument(self)
        except Exception as exc:
            core.shim_error("semlock", exc)

    semlock._make_methods = _make_methods
    # SemLock.__enter__ calls the C lock directly; route it through the
    # instance's (instrumented) methods so `with lock:` is seen too.
    semlock.__enter__ = _semlock_enter
    semlock.__exit__ = _semlock_exit
    _patch_condition(mod.Condition)


def _patch_condition(condition):
    real_init = condition.__init__
    real_setstate = condition.__setstate__
    real_wait = condition.wait

    def label(self):
        try:
            _labels[sem_id(self._lock)] = "Condition"
        except Exception as exc:
            core.shim_error("condition", exc)

    def __init__(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        label(self)

    def __setstate__(self, state):
        real_setstate(self, state)
        label(self)

    def wait(self, timeout=None):
        user, frame = callers.caller_is_user(2)
        key = sem_id(self._lock)
        if user:
            core.checkpoint("sync", **_fields(self._lock, key, "waiting", frame, None))
        result = real_wait(self, timeout)
        if user:
            core.report("sync", **_fields(self._lock, key, "acquired", frame, None))
        return result

    condition.__init__ = __init__
    condition.__setstate__ = __setstate__
    condition.wait = wait
