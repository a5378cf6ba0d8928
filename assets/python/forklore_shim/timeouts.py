"""Every timeout of multiprocessing in the run's time (clock.py), in a run
forklore can hold.

multiprocessing computes most deadlines with `time.monotonic()`, which
reads run time there, and waits again when a wait returned early:
`connection.wait` (so `Connection.poll`, `Process.join(timeout)`, the pipe
half of `Queue.get`), `Condition.wait_for`, `Barrier.wait`, threading's
`Semaphore.acquire` and `queue.Queue`. Those need nothing more.

The rest wait once in the kernel with the timeout given. Each is patched
here to wait again for what is left of its timeout when a hold cut it
short (`clock.waited`); that is safe because a wait that timed out has
changed nothing:

* a Lock's or Semaphore's `acquire(timeout=)`: sync.py's timed branch
  (`clock.acquire`), the one place that wraps it;
* multiprocessing's `Condition.wait(timeout)`, and so `Event.wait`
  (between two waits the condition's lock is held again, as after any
  wait, so no notify is missed that a longer wait would have seen);
* `Queue.get` / `put` (and JoinableQueue's put): `Empty` / `Full` are
  raised only once run time is up (their lock or slot wait);
* threading's `Condition.wait` and `Thread.join`: a Pool's
  `AsyncResult.wait/get(timeout)` and `imap`'s `next(timeout)`, a
  Future's `result(timeout)`, a Manager server's Event, Condition and
  queue waits; and the deadline clock of threading and queue;
* a Manager Lock's `acquire(timeout=)` (the server waits in a plain
  threading lock): asked again from the client.

These wrap multiprocessing's own functions BEFORE the shim's hooks wrap
them (finder.FIRST): the hooks see one call, one checkpoint, one event.
"""

from . import clock

waited = clock.waited


def _false(result):
    return not result


def patch_synchronize(mod):
    real_wait = mod.Condition.wait

    def wait(self, timeout=None):
        if timeout is None:
            return real_wait(self)
        return waited(lambda t: real_wait(self, t), timeout, _false)

    mod.Condition.wait = wait


def patch_queues(mod):
    empty, full = mod.Empty, mod.Full
    for cls in (mod.Queue, mod.JoinableQueue):
        if "put" in vars(cls):
            cls.put = _timed_put(cls.put, full)
        if "get" in vars(cls):
            cls.get = _timed_get(cls.get, empty)


def _timed_put(real, full):
    def put(self, obj, block=True, timeout=None):
        if not block or timeout is None:
            return real(self, obj, block, timeout)
        return waited(lambda t: real(self, obj, True, t), timeout, expired=full)

    return put


def _timed_get(real, empty):
    def get(self, block=True, timeout=None):
        if not block or timeout is None:
            return real(self, block, timeout)
        return waited(lambda t: real(self, True, t), timeout, expired=empty)

    return get


def patch_threading(mod):
    real_wait = mod.Condition.wait
    real_join = mod.Thread.join

    def wait(self, timeout=None):
        if timeout is None:
            return real_wait(self)
        return waited(lambda t: real_wait(self, t), timeout, _false)

    def join(self, timeout=None):
        if timeout is None:
            return real_join(self)
        return waited(lambda t: real_join(self, t), timeout, lambda _: self.is_alive())

    mod.Condition.wait = wait
    mod.Thread.join = join
    # threading imported before the shim keeps the real clock for its own
    # deadlines (Condition.wait_for, Semaphore.acquire).
    mod._time = clock.monotonic


def patch_queue(mod):
    mod.time = clock.monotonic  # queue.Queue's deadlines


def patch_managers(mod):
    real_acquire = mod.AcquirerProxy.acquire

    def acquire(self, blocking=True, timeout=None):
        if not blocking or timeout is None:
            return real_acquire(self, blocking, timeout)
        return waited(lambda t: real_acquire(self, True, t), timeout, _false)

    mod.AcquirerProxy.acquire = acquire


# module -> this module's function patching it (finder.FIRST)
PATCHES = {
    "multiprocessing.synchronize": ("timeouts", "patch_synchronize"),
    "multiprocessing.queues": ("timeouts", "patch_queues"),
    "multiprocessing.managers": ("timeouts", "patch_managers"),
    "threading": ("timeouts", "patch_threading"),
    "queue": ("timeouts", "patch_queue"),
}
