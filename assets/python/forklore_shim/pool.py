"""multiprocessing.pool: each job's chunking (`map` in the caller) and which
worker takes and finishes which chunk (`chunk_take` / `chunk_done`).

`mapstar` never sees a chunk's index, so the worker's own loop is watched:
`worker` is wrapped (with functools.wraps, so spawn pickles it by
reference) and its inqueue.get / outqueue.put observed from the worker.
"""

import functools

from . import core


def patch(mod):
    chunk_funcs = (mod.mapstar, mod.starmapstar)
    real_worker = mod.worker
    real_map_init = mod.MapResult.__init__

    @functools.wraps(real_worker)
    def worker(inqueue, outqueue, *args, **kwargs):
        try:
            # Jobs are numbered per process: the Pool's maker names them.
            from multiprocessing import process

            pool = process.current_process()._parent_pid or 0
            _observe_worker_queues(inqueue, outqueue, chunk_funcs, pool)
        except Exception as exc:
            core.shim_error("pool.worker", exc)
        return real_worker(inqueue, outqueue, *args, **kwargs)

    def map_init(self, pool, chunksize, length, *args, **kwargs):
        real_map_init(self, pool, chunksize, length, *args, **kwargs)
        try:
            workers = len(pool._pool) if pool is not None else None
            chunks = -(-length // chunksize) if chunksize else 0
            body = core.fields(
                pool=core.STATE.pid, job=self._job, items=length, chunksize=chunksize, chunks=chunks, workers=workers
            )
            core.report("map", body)
        except Exception as exc:
            core.shim_error("pool.map", exc)

    mod.worker = worker
    mod.MapResult.__init__ = map_init
    _patch_imap(mod)


def _patch_imap(mod):
    """imap/imap_unordered: the number of items is unknown up front, so the
    job is announced as streaming with the chunksize the caller gave."""
    import threading

    given = threading.local()
    real_iter_init = mod.IMapIterator.__init__

    def iter_init(self, pool, *args, **kwargs):
        real_iter_init(self, pool, *args, **kwargs)
        try:
            workers = len(pool._pool) if pool is not None else None
            chunksize = getattr(given, "chunksize", 1)
            body = core.fields(
                pool=core.STATE.pid,
                job=self._job,
                items=0,
                chunksize=chunksize,
                chunks=0,
                workers=workers,
                streaming=True,
            )
            core.report("map", body)
        except Exception as exc:
            core.shim_error("pool.imap", exc)

    for name in ("imap", "imap_unordered"):
        real = getattr(mod.Pool, name)

        def wrapper(self, func, iterable, chunksize=1, _real=real):
            given.chunksize = chunksize
            return _real(self, func, iterable, chunksize)

        functools.update_wrapper(wrapper, real)
        setattr(mod.Pool, name, wrapper)
    mod.IMapIterator.__init__ = iter_init


def _observe_worker_queues(inqueue, outqueue, chunk_funcs, pool):
    """Watch a Pool worker take tasks and hand back results (chunk = task)."""
    real_get = inqueue.get
    real_put = outqueue.put
    chunks = set()

    def get():
        # Taking the next task is a checkpoint: which worker gets which
        # chunk is decided here.
        core.checkpoint("chunk_take", silent=True)
        task = real_get()
        try:
            if task is not None:
                job, index, func, args, _ = task
                # map/starmap chunks carry their items; any other task
                # (imap with chunksize 1, apply_async) is one item.
                size = len(args[0][1]) if func in chunk_funcs else 1
                chunks.add((job, index))
                body = '"pool":%d,"job":%d,"index":%d,"size":%d' % (pool, job, index, size)
                core.report("chunk_take", body)
        except Exception as exc:
            core.shim_error("pool.get", exc)
        return task

    def put(result):
        try:
            job, index = result[0], result[1]
            if (job, index) in chunks:
                chunks.discard((job, index))
                ok = "true" if result[2][0] else "false"
                body = '"pool":%d,"job":%d,"index":%d,"ok":%s' % (pool, job, index, ok)
                core.report("chunk_done", body)
        except Exception as exc:
            core.shim_error("pool.put", exc)
        return real_put(result)

    inqueue.get = get
    outqueue.put = put

