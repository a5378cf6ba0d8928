"""Locks, RLocks, Semaphores and Conditions (multiprocessing.synchronize).

`SemLock._make_methods` binds `acquire`/`release` as instance attributes
and `SemLock.__enter__` calls the C lock directly, so the patch wraps each
instance's methods (both `__init__` and `__setstate__` call
`_make_methods`) and routes `with lock:` through them.
"""

import sys
import weakref

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


def _name(lock, key, frame, method):
    """The variable name the script gave the lock, as JSON (found once)."""
    return core.jval(callers.name_in_frame(frame, lock, key, method))


def _body(key_json, label, name, op, value):
    """A sync event's fields (`key_json`, `name`: JSON already)."""
    value = "null" if value is None else str(value)
    return '"id":%s,"type":"%s","name":%s,"op":"%s","value":%s' % (key_json, label, name, op, value)


class _Heads:
    """A lock's events up to their value, as bytes, built once per label
    and op: the hot path (`with lock:` in a loop) then only adds the value,
    the pid and the time (`core.report_head`)."""

    __slots__ = ("lock", "key", "key_json", "heads")

    def __init__(self, lock, key):
        self.lock = lock  # a weakref.ref (see _instrument)
        self.key = key
        self.key_json = core.jstr(key)
        self.heads = {}

    def head(self, label, op, frame, method):
        # The name is looked for once per lock (callers.name_in_frame keeps
        # it, None included), so a head cached per label never goes stale.
        head = self.heads.get((label, op))
        if head is None:
            name = _name(self.lock(), self.key, frame, method)
            head = '{"kind":"sync","id":%s,"type":"%s","name":%s,"op":"%s","value":' % (
                self.key_json,
                label,
                name,
                op,
            )
            head = self.heads[(label, op)] = head.encode()
        return head


def _instrument(lock):
    # The methods set on the instance reach it only through a weak
    # reference: a strong one would make a cycle (lock -> its __dict__ ->
    # acquire -> lock), and a cycle is freed by the garbage collector only,
    # not when the program drops its last reference. A SemLock's finalizer
    # unlinks its named semaphore; delayed, a process terminated before the
    # next collection leaves it to the resource tracker ("leaked semaphore
    # objects"), which plain Python never does.
    lock_ref = weakref.ref(lock)
    real_acquire = lock.acquire
    real_release = lock.release
    # Computed once, not at every acquire: `with lock:` in a loop is the
    # hottest path there is. (A Condition labels its lock after creating
    # it: the label is looked up at each event.)
    sl = lock._semlock
    get_value = sl._get_value
    key = sem_id(lock)
    base = kind(lock)
    gate = '"id":%s,"op":"acquire"' % core.jstr(key)
    release_gate = '"id":%s,"op":"release"' % core.jstr(key)
    heads = _Heads(lock_ref, key)
    value_released = _value_released(sl, base)
    user_at = callers.user_at
    getframe = sys._getframe
    emit_head = core.emit_head
    labels = _labels

    def head(op, frame, method):
        return heads.head(labels.get(key, base), op, frame, method)

    # The two hottest events' heads, for the label they were made with
    # (each made at its own first call: the lock's name is read from the
    # call site, `lock.release()` is no acquire).
    memo = [None, None, None]  # label, acquired, released

    def hot_head(i, frame):
        label = labels.get(key, base)
        if label is not memo[0]:
            memo[:] = [label, None, None]
        found = memo[i]
        if found is None:
            op, method = ("acquired", "acquire") if i == 1 else ("released", "release")
            found = memo[i] = heads.head(label, op, frame, method)
        return found

    def report(op, frame):
        try:
            try:
                value = get_value()
            except Exception:  # not every platform can tell
                value = None
            emit_head(head(op, frame, "acquire"), value)
        except Exception as exc:
            core.shim_error("sync", exc)

    def acquire(*args, **kwargs):
        try:
            frame = user_at(getframe(1))
        except Exception as exc:
            core.shim_error("sync", exc)
            frame = None
        if frame is None:
            return real_acquire(*args, **kwargs)
        if core.STEP[0] or core.GATED or core._preludes or not core.STATE.announced:
            want = gate  # a checkpoint: step mode may hold it here
            if core.STEP[0]:  # step mode's `want` names the lock
                want = '%s,"name":%s' % (gate, _name(lock_ref(), key, frame, "acquire"))
            core.checkpoint("sync", want, silent=True, frame=frame)
        if real_acquire(False):
            try:
                emit_head(hot_head(1, frame), get_value())
            except Exception as exc:
                core.shim_error("sync", exc)
            return True
        if not (args[0] if args else kwargs.get("block", True)):
            return False
        # With a timeout it may give up by itself (not a deadlock).
        timed = (args[1] if len(args) > 1 else kwargs.get("timeout")) is not None
        report("blocked_timed" if timed else "blocked", frame)
        if timed:  # waited in the run's time
            got = _timed_acquire(real_acquire, args, kwargs)
        else:
            got = real_acquire(*args, **kwargs)
        report("acquired" if got else "timeout", frame)
        return got

    def release():
        try:
            frame = user_at(getframe(1))
            value = None if frame is None else value_released()
            # Before the real release, so it precedes the next taker's acquire.
            if value is None:
                pass
            elif core.STEP[0] or core.GATED or core._preludes or not core.STATE.announced:
                want = release_gate
                if core.STEP[0]:  # step mode's `want` names the lock
                    want = '%s,"name":%s' % (release_gate, _name(lock_ref(), key, frame, "release"))
                core.checkpoint_head("sync", hot_head(2, frame), value, want, frame)
            else:
                emit_head(hot_head(2, frame), value)
        except Exception as exc:
            core.shim_error("sync", exc)
        return real_release()

    lock.acquire = acquire
    lock.release = release


def _timed_acquire(real, args, kwargs):
    """`acquire(block, timeout)` in a run forklore can hold: in run time
    (clock.py), so a pause does not make it time out."""
    import sys

    clock = sys.modules.get("forklore_shim.clock")
    if clock is None:
        return real(*args, **kwargs)
    return clock.acquire(real, args, kwargs)


def _value_released(sl, name):
    """A function giving the lock's value once the calling process has
    released it, or None when its release would fail (it does not hold it:
    the real release raises, and nothing is reported)."""
    if name == "RLock":
        return lambda: (1 if sl._count() == 1 else 0) if sl._is_mine() else None
    if name == "Lock":
        return lambda: 1 if sl._get_value() < 1 else None
    maxvalue = sl.maxvalue
    return lambda: (lambda v: v + 1 if v < maxvalue else None)(sl._get_value())


# The locks multiprocessing makes for its own Queues and Pools (a queue's
# read and write locks, its size semaphore) never reach the user's code:
# they are left as Python made them, so their every acquire costs what it
# costs without forklore (a chunksize-1 Pool.map takes four per item).
# Found by who made the lock: the first frame above synchronize.py and
# context.py. A lock unpickled in a spawn child is instrumented as before
# (its maker is not on the stack there); its calls come from
# multiprocessing and are not reported either way.
_INTERNAL_MAKERS = ("queues.py", "pool.py")
_PASS_THROUGH_MAKERS = ("synchronize.py", "context.py")


def _made_for_internals():
    frame = sys._getframe(2)  # the caller of _make_methods
    mp = core.MP_DIR
    while frame is not None:
        name = frame.f_code.co_filename
        if not name.startswith(mp):
            return False
        short = name[len(mp) :]
        if short in _INTERNAL_MAKERS:
            return True
        if short not in _PASS_THROUGH_MAKERS:
            return False
        frame = frame.f_back
    return False


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
            if not _made_for_internals():
                _instrument(self)
        except Exception as exc:
            core.shim_error("semlock", exc)

    semlock._make_methods = _make_methods
    # SemLock.__enter__ calls the C lock directly; route it through the
    # instance's (instrumented) methods so `with lock:` is seen too.
    semlock.__enter__ = _semlock_enter
    semlock.__exit__ = _semlock_exit
    _patch_condition(mod.Condition)
    _patch_event(mod.Event)
    _patch_barrier(mod.Barrier)


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
        if user:
            key = sem_id(self._lock)
            key_json = core.jstr(key)
            name = _name(self._lock, key, frame, "wait")
            core.checkpoint("sync", _body(key_json, "Condition", name, "waiting", None))
        result = real_wait(self, timeout)
        if user:
            # False: the timeout ran out (it still holds the lock again).
            op = "acquired" if result else "timeout"
            core.report("sync", _body(key_json, "Condition", name, op, None))
        return result

    condition.__init__ = __init__
    condition.__setstate__ = __setstate__
    condition.wait = wait
    condition.notify = _notifier(condition.notify, all_of_them=False)
    condition.notify_all = _notifier(condition.notify_all, all_of_them=True)


def _sleepers(cond):
    """Waiters a notify can wake now: multiprocessing's own count (those
    asleep minus those already woken). None where it cannot be read."""
    try:
        asleep = cond._sleeping_count._semlock._get_value()
        woken = cond._woken_count._semlock._get_value()
        return max(0, asleep - woken)
    except Exception:
        return None


def _notifier(real, all_of_them):
    """notify(n) / notify_all(), announced BEFORE the real call with how
    many waiters it wakes (notify_all's own call to notify is not the
    script's and is not reported twice)."""

    def notify(self, *args, **kwargs):
        user, frame = callers.caller_is_user(2)
        if user:
            key = sem_id(self._lock)
            name = _name(self._lock, key, frame, real.__name__)
            sleepers = _sleepers(self)
            wakes = sleepers
            if not all_of_them and sleepers is not None:
                wanted = args[0] if args else kwargs.get("n", 1)
                wakes = min(sleepers, wanted)
            core.checkpoint("sync", _body(core.jstr(key), "Condition", name, "notify", wakes))
        return real(self, *args, **kwargs)

    notify.__name__ = real.__name__
    notify.__qualname__ = real.__qualname__
    return notify


def _patch_event(event):
    """Event: set and clear, and who waits for it (its own Condition and
    Semaphore are multiprocessing's business, not shown)."""
    real_set, real_clear, real_wait = event.set, event.clear, event.wait

    def report(send, self, frame, method, op):
        key = sem_id(self._flag)
        name = _name(self, key, frame, method)
        # set and clear are reported before they happen: the flag they give.
        flag = {"set": 1, "clear": 0}.get(op, 1 if self.is_set() else 0)
        send("sync", _body(core.jstr(key), "Event", name, op, flag))

    def set(self):
        user, frame = callers.caller_is_user(2)
        if user:
            report(core.checkpoint, self, frame, "set", "set")
        return real_set(self)

    def clear(self):
        user, frame = callers.caller_is_user(2)
        if user:
            report(core.checkpoint, self, frame, "clear", "clear")
        return real_clear(self)

    def wait(self, timeout=None):
        user, frame = callers.caller_is_user(2)
        if user:
            report(core.checkpoint, self, frame, "wait", "waiting")
        result = real_wait(self, timeout)
        if user:
            report(core.report, self, frame, "wait", "woke" if result else "timeout")
        return result

    event.set, event.clear, event.wait = set, clear, wait


def _patch_barrier(barrier):
    """Barrier: how many wait of how many parties, and when it lets them
    through or breaks."""
    import threading

    real_wait, real_abort = barrier.wait, barrier.abort

    def report(send, self, frame, method, op):
        key = sem_id(self._cond._lock)
        name = _name(self, key, frame, method)
        waiting = self.n_waiting + (1 if op == "waiting" else 0)
        body = _body(core.jstr(key), "Barrier", name, op, waiting)
        send("sync", body + ',"parties":%d' % self.parties)

    def wait(self, timeout=None):
        user, frame = callers.caller_is_user(2)
        if user:
            report(core.checkpoint, self, frame, "wait", "waiting")
        try:
            index = real_wait(self, timeout)
        except threading.BrokenBarrierError:
            if user:
                report(core.report, self, frame, "wait", "broken")
            raise
        if user:
            report(core.report, self, frame, "wait", "passed")
        return index

    def abort(self):
        user, frame = callers.caller_is_user(2)
        if user:
            report(core.checkpoint, self, frame, "abort", "broken")
        return real_abort(self)

    barrier.wait, barrier.abort = wait, abort
