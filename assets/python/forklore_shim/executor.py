"""concurrent.futures.ProcessPoolExecutor, shown like a Pool: the executor
is a streaming job; each task submitted (`submit`, and every chunk of
`map`) is reported when submitted, taken by a worker (`chunk_take`) and
done (`chunk_done`, ok or raised); main waiting on a future's result is a
wait (`future`).

An executor is named by its call queue's lock, the same in its workers
(pickled for spawn): the job number is a stable 31-bit hash of it.
"""

import functools
import weakref
import zlib

from . import core
from .sync import sem_id

_futures = weakref.WeakKeyDictionary()  # future -> (pool, job, task)
_announced = weakref.WeakSet()  # executors whose job was reported


def _job(call_queue):
    return zlib.crc32(sem_id(call_queue._rlock).encode()) & 0x7FFFFFFF


def patch_process(mod):
    real_submit = mod.ProcessPoolExecutor.submit
    real_worker = mod._process_worker
    real_sendback = mod._sendback_result

    def submit(self, fn, /, *args, **kwargs):
        # Reported BEFORE the real submit: a worker may take the task at
        # once, and its take must not come before the task exists.
        task = self._queue_count
        accepts = not (getattr(self, "_broken", False) or getattr(self, "_shutdown_thread", False))
        try:
            if accepts:
                _submitting(self, fn, task, mod._process_chunk)
        except Exception as exc:
            core.shim_error("executor.submit", exc)
        future = real_submit(self, fn, *args, **kwargs)
        if accepts:
            _futures[future] = (core.STATE.pid, _job(self._call_queue), task)
        return future

    # Spawned workers unpickle the worker function by its name: the wrapper
    # takes the original's (functools.wraps), and is found under it.
    @functools.wraps(real_worker)
    def _process_worker(call_queue, result_queue, *args, **kwargs):
        try:
            from multiprocessing import process

            pool = process.current_process()._parent_pid or 0
            _observe_calls(call_queue, pool, _job(call_queue), mod._process_chunk)
        except Exception as exc:
            core.shim_error("executor.worker", exc)
        return real_worker(call_queue, result_queue, *args, **kwargs)

    @functools.wraps(real_sendback)
    def _sendback_result(result_queue, work_id, result=None, exception=None, **kwargs):
        done = core.STATE.executor_task
        if done is not None and done[2] == work_id:
            ok = "true" if exception is None else "false"
            core.report("chunk_done", '"pool":%d,"job":%d,"index":%d,"ok":%s' % (done + (ok,)))
        return real_sendback(result_queue, work_id, result=result, exception=exception, **kwargs)

    mod.ProcessPoolExecutor.submit = submit
    mod._process_worker = _process_worker
    mod._sendback_result = _sendback_result


def _task_name(fn, chunk_fn):
    """The function a task runs (a chunk of `map` runs the mapped one)."""
    if isinstance(fn, functools.partial) and fn.func is chunk_fn and fn.args:
        fn = fn.args[0]
    return getattr(fn, "__name__", None)


def _submitting(executor, fn, task, chunk_fn):
    pool, job = core.STATE.pid, _job(executor._call_queue)
    if executor not in _announced:
        _announced.add(executor)
        body = core.fields(
            pool=pool, job=job, items=0, chunksize=1, chunks=0, workers=executor._max_workers, streaming=True
        )
        core.checkpoint("map", body + ',"executor":true')
    name = _task_name(fn, chunk_fn)
    core.checkpoint("submit", core.fields(pool=pool, job=job, task=task, name=name))


def _observe_calls(call_queue, pool, job, chunk_fn):
    """Watch a worker take its tasks (a task of `map` is a chunk)."""
    real_get = call_queue.get

    def get(block=True, timeout=None):
        core.checkpoint("chunk_take", silent=True)
        item = real_get(block, timeout)
        if item is not None:
            core.STATE.executor_task = (pool, job, item.work_id)
            is_chunk = getattr(item.fn, "func", None) is chunk_fn and item.args
            size = len(item.args[0]) if is_chunk else 1
            core.report("chunk_take", '"pool":%d,"job":%d,"index":%d,"size":%d' % (pool, job, item.work_id, size))
        return item

    call_queue.get = get


def patch_base(mod):
    """Waiting on a task's future: `result()`, `exception()` (which
    `executor.map`'s results call too)."""
    future_cls = mod.Future
    for method in ("result", "exception"):
        real = getattr(future_cls, method)

        def wait(self, timeout=None, _real=real):
            task = _futures.get(self)
            user = task is not None and not self.done()
            if user:
                core.checkpoint("future", core.fields(pool=task[0], job=task[1], task=task[2], op="waiting"))
            try:
                return _real(self, timeout)
            finally:
                if user:
                    core.report("future", core.fields(pool=task[0], job=task[1], task=task[2], op="done"))

        setattr(future_cls, method, wait)
