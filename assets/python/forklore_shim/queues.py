"""multiprocessing Queue and JoinableQueue: put and get, as the user calls
them (put_nowait and get_nowait included).

A put is announced BEFORE the real put (the checkpoint), so it always comes
before the get that takes its item, and confirmed after (`put_done`, or
`put_blocked` first when the queue is full, `put_failed` if it raised); a
get is reported after, with the item.
"""

from . import callers, core
from .sync import sem_id


def _event(send, q, op, frame, item=None, with_item=False):
    try:
        key = sem_id(q._rlock)
        method = "put" if op.startswith("put") else "get"
        name = callers.name_in_frame(frame, q, "q:" + key, method)
        body = '"id":%s,"op":"%s","name":%s' % (core.jstr(key), op, core.jval(name))
        if with_item:
            body += ',"item":' + core.jstr(core.safe_repr(item))
        if op == "put":  # announced before: how much room there is
            body += ',"maxsize":%d' % q._maxsize
        else:  # after the fact: the size it has now
            try:
                size = q.qsize()
            except Exception:
                size = None
            body += ',"size":' + core.jval(size)
        unfinished = _unfinished(q)
        if unfinished is not None and op == "put_done":
            body += ',"unfinished":%d' % unfinished
        send("queue", body)
    except Exception as exc:
        core.shim_error("queue", exc)


def _unfinished(q):
    """A JoinableQueue's unfinished tasks (None for a plain Queue)."""
    try:
        return q._unfinished_tasks._semlock._get_value()
    except Exception:
        return None


def _joinable_event(send, q, op, frame, unfinished):
    try:
        key = sem_id(q._rlock)
        name = callers.name_in_frame(frame, q, "q:" + key, op if op != "joined" else "join")
        body = '"id":%s,"op":"%s","name":%s' % (core.jstr(key), op, core.jval(name))
        if unfinished is not None:
            body += ',"unfinished":%d' % unfinished
        send("queue", body)
    except Exception as exc:
        core.shim_error("queue", exc)


def _patch_joinable(cls):
    """task_done() is announced BEFORE it happens, with the count it
    leaves, so every task_done precedes the join() it lets return; join()
    is announced before it waits and reported when it returns."""
    real_task_done = cls.task_done
    real_join = cls.join

    def task_done(self):
        user, frame = callers.caller_is_user(2)
        if user:
            left = _unfinished(self)
            _joinable_event(core.checkpoint, self, "task_done", frame, None if left is None else max(left - 1, 0))
        return real_task_done(self)

    def join(self):
        user, frame = callers.caller_is_user(2)
        if user:
            _joinable_event(core.checkpoint, self, "join", frame, _unfinished(self))
        result = real_join(self)
        if user:
            _joinable_event(core.report, self, "joined", frame, _unfinished(self))
        return result

    cls.task_done = task_done
    cls.join = join


def _flushed(queue):
    """Step mode: a put is complete once the queue's feeder thread has
    begun to write the item into the pipe, so that a get let go next finds
    it there (the model's queue is then the real one). Not until the write
    ends: a large item fills the pipe until a reader takes it, and the
    reader may be held at its checkpoint."""
    buffer = getattr(queue, "_buffer", None)
    poll = getattr(queue, "_poll", None)
    if buffer is None or poll is None:
        return
    for _ in range(1000):  # a feeder that never writes: give up after ~1 s
        try:
            if not buffer and poll(0):
                return
        except (OSError, ValueError):  # the queue was closed meanwhile
            return
        core.real_sleep(0.001)


def _patch_class(cls, mod):
    full, empty = mod.Full, mod.Empty
    real_put = cls.put
    real_get = cls.get

    def put(self, obj, block=True, timeout=None):
        user, frame = callers.caller_is_user(2)
        if not user:
            return real_put(self, obj, block, timeout)
        _event(core.checkpoint, self, "put", frame, obj, True)
        try:
            try:
                real_put(self, obj, False)
            except full:
                if not block:
                    raise
                _event(core.report, self, "put_blocked", frame, obj, True)
                real_put(self, obj, True, timeout)
        except BaseException:
            _event(core.report, self, "put_failed", frame, obj, True)
            raise
        _event(core.report, self, "put_done", frame, obj, True)
        if core.STEP[0]:
            _flushed(self)

    def get(self, block=True, timeout=None):
        user, frame = callers.caller_is_user(2)
        if not user:
            return real_get(self, block, timeout)
        core.checkpoint("queue", '"id":%s,"op":"get"' % core.jstr(sem_id(self._rlock)), silent=True)
        try:
            try:
                item = real_get(self, False)
            except empty:
                if not block:
                    raise
                _event(core.report, self, "get_blocked", frame)
                item = real_get(self, True, timeout)
        except BaseException:
            _event(core.report, self, "get_failed", frame)
            raise
        _event(core.report, self, "get", frame, item, True)
        return item

    cls.put = put
    # JoinableQueue inherits Queue.get: patch only where it is defined.
    if cls.get is real_get and "get" in vars(cls):
        cls.get = get


def patch(mod):
    _patch_class(mod.Queue, mod)
    _patch_class(mod.JoinableQueue, mod)
    _patch_joinable(mod.JoinableQueue)
