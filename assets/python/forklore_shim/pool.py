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
    _patch_apply(mod)


def _patch_apply(mod):
    """apply / apply_async: each task is announced in the caller once its
    job number exists and before it is queued (ApplyResult.__init__), and
    its callback or error_callback as it is about to run, from the process
    that runs it (ApplyResult._set, in the Pool's result handler)."""
    import threading

    asked = threading.local()  # the apply_async call being made, per thread
    cls = mod.ApplyResult
    real_init = cls.__init__
    real_set = cls._set
    real_apply_async = mod.Pool.apply_async
    real_apply = mod.Pool.apply

    @functools.wraps(real_apply_async)
    def apply_async(self, func, *args, **kwargs):
        asked.name = getattr(func, "__name__", None)
        try:
            return real_apply_async(self, func, *args, **kwargs)
        finally:
            asked.name = None

    @functools.wraps(real_apply)
    def apply(self, *args, **kwargs):
        asked.blocking = True
        try:
            return real_apply(self, *args, **kwargs)
        finally:
            asked.blocking = False

    def init(self, pool, callback, error_callback, *args, **kwargs):
        real_init(self, pool, callback, error_callback, *args, **kwargs)
        if type(self) is not cls or getattr(asked, "name", None) is None:
            return  # a map's result, or not from apply/apply_async
        body = core.fields(
            pool=core.STATE.pid,
            job=self._job,
            name=asked.name,
            blocking=getattr(asked, "blocking", False),
            callback=callback is not None,
            error_callback=error_callback is not None,
        )
        core.report("apply", body)

    def _set(self, i, obj):
        try:
            success = obj[0]
            which = "callback" if success else "error_callback"
            if type(self) is cls and getattr(self, "_" + which, None) is not None:
                core.checkpoint("callback", core.fields(pool=core.STATE.pid, job=self._job, which=which))
        except Exception as exc:
            core.shim_error("pool.callback", exc)
        return real_set(self, i, obj)

    mod.Pool.apply_async = apply_async
    mod.Pool.apply = apply
    cls.__init__ = init
    cls._set = _set


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
    # The events' text up to the chunk's index, per job (and size, or
    # outcome): a chunksize-1 map sends two events per item, compact ones.
    heads = {}

    def head(kind, job, field, value):
        key = (kind, job, value)
        found = heads.get(key)
        if found is None:
            if len(heads) > 256:
                heads.clear()
            found = heads[key] = b'{"kind":"%s","pool":%d,"job":%d,"%s":%s,"index":' % (
                kind.encode(),
                pool,
                job,
                field.encode(),
                str(value).lower().encode(),
            )
        return found

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
                core.report_head(head("chunk_take", job, "size", size), index)
        except Exception as exc:
            core.shim_error("pool.get", exc)
        return task

    def put(result):
        try:
            job, index = result[0], result[1]
            if (job, index) in chunks:
                chunks.discard((job, index))
                core.report_head(head("chunk_done", job, "ok", bool(result[2][0])), index)
        except Exception as exc:
            core.shim_error("pool.put", exc)
        return real_put(result)

    inqueue.get = get
    outqueue.put = put

