"""forklore's instrumentation shim: stdlib only, loaded into every interpreter.

It reports what a multiprocessing program does as JSON events, one per datagram,
on the Unix socket named by FORKLORE_SOCK. Rules it lives by:

* Never change the program: same output, results and exit code. Every hook
  calls the original; shim failures become `shim_error` events.
* Every event leaves through `emit()`; a future step mode will make a process
  wait there for forklore's go-ahead, so there is exactly one such path.
* Patch lazily: `multiprocessing.*` modules are patched as they are imported,
  importing them eagerly would cost every interpreter ~20 ms.
* Cheap on hot paths: events per chunk, not per item; classification of who
  called a lock is cached per code object.

The event contract is in docs/protocol.md.
"""

import _socket
import functools
import io
import os
import sys
import time

try:  # the C string escaper json uses, without importing json (and re)
    from _json import encode_basestring_ascii as _json_str
except ImportError:  # pragma: no cover - every CPython has _json
    from json.encoder import py_encode_basestring_ascii as _json_str

PROTOCOL_VERSION = 1
ITEM_REPR_MAX = 80
VAR_REPR_MAX = 160
WRITE_CHUNK_CHARS = 4096
LINE_MIN_INTERVAL_NS = 20_000_000

_env = os.environ
_SOCK_PATH = _env.get("FORKLORE_SOCK")
_SCRIPT = _env.get("FORKLORE_SCRIPT") or ""
_START_METHOD = _env.get("FORKLORE_START_METHOD") or None
_WATCH = [n for n in (_env.get("FORKLORE_WATCH") or "").split(",") if n]
_LINES = _env.get("FORKLORE_LINES") == "1"
try:
    _SLOW = float(_env.get("FORKLORE_SLOW") or "1")
except ValueError:
    _SLOW = 1.0

_MP_DIR = os.path.dirname(os.__file__) + os.sep + "multiprocessing" + os.sep
_CF_DIR = os.path.dirname(os.__file__) + os.sep + "concurrent" + os.sep
_SHIM_FILE = __file__.rstrip("c")

# Per-process state; reset after fork (see _after_fork_in_child).
_sock = None
_sock_pid = None
_broken = False
_announced_pid = None
_identity = {"role": None, "name": None, "daemon": False, "method": None, "parent": None}
_errors_seen = set()
_var_fingerprints = {}
_line_state = {"pending": None, "sent": None, "last_ns": 0}
_in_var_check = False
_script_ended = False


# ---------------------------------------------------------------- emitting


def _send(data):
    """Send one datagram, blocking. Returns False once forklore is gone."""
    global _sock, _sock_pid, _broken
    if _broken or not _SOCK_PATH:
        return False
    pid = os.getpid()
    try:
        if _sock is None or _sock_pid != pid:
            s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_DGRAM)
            s.connect(_SOCK_PATH)
            _sock, _sock_pid = s, pid
        _sock.send(data)
        return True
    except OSError:
        _broken = True
        return False


def emit(kind, **fields):
    """The one path every event takes out of this process."""
    if kind not in ("proc_start", "hello") and _announced_pid != os.getpid():
        _announce()
    if _LINES and kind != "line":
        _flush_line()
    if _WATCH and kind not in ("var", "proc_start", "hello") and not _in_var_check:
        _check_vars()
    event = {"kind": kind, "pid": os.getpid(), "t": time.monotonic_ns()}
    event.update(fields)
    return _send(_encode(event).encode())


def _json_value(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, str):
        return _json_str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(map(_json_value, v)) + "]"
    if isinstance(v, float) and v == v and v not in (float("inf"), float("-inf")):
        return repr(v)
    return _json_str(repr(v))


def _encode(event):
    """JSON for a flat event dict: cheaper to import and run than json.dumps.

    Keys are the shim's own identifiers and need no escaping; the common
    value types are dispatched on their exact type first (hot path).
    """
    out = []
    for key, v in event.items():
        t = type(v)
        if t is str:
            v = _json_str(v)
        elif t is int:
            v = str(v)
        else:
            v = _json_value(v)
        out.append('"%s":%s' % (key, v))
    return "{%s}" % ",".join(out)


def _shim_error(where, exc):
    key = (where, type(exc).__name__)
    if key in _errors_seen:
        return
    _errors_seen.add(key)
    try:
        emit("shim_error", error="%s: %s: %s" % (where, type(exc).__name__, exc))
    except Exception:
        pass


def _cut(text, limit):
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _safe_repr(value, limit=ITEM_REPR_MAX):
    try:
        return _cut(repr(value), limit)
    except Exception as exc:
        return "<unrepresentable %s: %s>" % (type(value).__name__, type(exc).__name__)


# ---------------------------------------------------------- process identity


def _is_root():
    # forklore starts the script as the leader of a fresh process group.
    return os.getpid() == os.getpgrp()


def _current_start_method():
    mp = sys.modules.get("multiprocessing")
    if mp is None:
        return _default_start_method()
    try:
        return mp.get_start_method(allow_none=True) or _default_start_method()
    except Exception:
        return _default_start_method()


def _announce(role=None, **identity):
    """Emit proc_start for this pid, again only if its role becomes known.

    A spawned child can print while it re-imports the script, before
    multiprocessing tells us who it is; it is announced with a guess first.
    """
    global _announced_pid
    if _announced_pid == os.getpid() and (role is None or role == _identity["role"]):
        return
    if role is not None:
        _identity["role"] = role
    _identity.update(identity)
    _announced_pid = os.getpid()
    if _identity["role"] is None:
        _identity["role"], _identity["name"] = _guess_identity()
    emit(
        "proc_start",
        ppid=os.getppid(),
        parent=_identity["parent"],
        name=_identity["name"],
        role=_identity["role"],
        daemon=bool(_identity["daemon"]),
        method=_identity["method"],
        argv=[_cut(a, 120) for a in sys.argv[:8]],
    )


def _guess_identity():
    if _is_root():
        return "main", "MainProcess"
    if "--multiprocessing-fork" in sys.argv:
        return "process", None
    return "python", os.path.basename(sys.argv[0] or "python")


def _default_start_method():
    return _START_METHOD or ("forkserver" if sys.version_info >= (3, 14) else "fork")


def _after_fork_in_child():
    global _sock, _sock_pid, _announced_pid
    _sock = _sock_pid = _announced_pid = None
    _identity.update(role=None, name=None, daemon=False, method="fork", parent=None)
    _var_fingerprints.clear()
    _line_state.update(pending=None, sent=None, last_ns=0)


# ------------------------------------------------------------- stdout/stderr


class _EventWriter(io.RawIOBase):
    """A raw stream whose every write becomes a `write` event.

    Output travels only as events so that forklore's order of fragments and
    colour-by-PID agree; if forklore is gone the bytes go to the real fd.
    """

    def __init__(self, fd, name, encoding):
        super().__init__()
        self._fd = fd
        self._name = name
        # Bytes are decoded as the stream encoded them (PYTHONIOENCODING).
        self._encoding = encoding

    @property
    def name(self):
        return self._name

    def writable(self):
        return True

    def fileno(self):
        return self._fd

    def isatty(self):
        try:
            return os.isatty(self._fd)
        except OSError:
            return False

    def write(self, data):
        data = bytes(data)
        text = data.decode(self._encoding, "replace")
        for start in range(0, max(len(text), 1), WRITE_CHUNK_CHARS):
            piece = text[start : start + WRITE_CHUNK_CHARS]
            if not emit("write", fd=self._fd, text=piece):
                os.write(self._fd, piece.encode(self._encoding, "replace"))
        return len(data)


def _replace_stream(attr, fd):
    old = getattr(sys, attr, None)
    if old is None or not hasattr(old, "fileno"):
        return
    try:
        if old.fileno() != fd:
            return
    except (OSError, ValueError, io.UnsupportedOperation):
        return
    encoding = getattr(old, "encoding", None) or "utf-8"
    raw = _EventWriter(fd, getattr(old, "name", "<%s>" % attr), encoding)
    unbuffered = getattr(old, "write_through", False)
    binary = raw if unbuffered else io.BufferedWriter(raw)
    new = io.TextIOWrapper(
        binary,
        encoding=encoding,
        errors=getattr(old, "errors", None) or "strict",
        line_buffering=getattr(old, "line_buffering", False),
        write_through=unbuffered,
    )
    setattr(sys, attr, new)
    setattr(sys, "__%s__" % attr, new)


# ------------------------------------------------------------ watched globals


def _fingerprint(value):
    if isinstance(value, (list, dict, set, tuple, str, bytes, bytearray)):
        return (id(value), len(value))
    if value is None or isinstance(value, (int, float, bool)):
        return (type(value), value)
    return (id(value),)


def _describe(value):
    fields = {"repr": _safe_repr(value, VAR_REPR_MAX), "len": None}
    if isinstance(value, (list, tuple, str, bytes, bytearray, dict, set)):
        fields["len"] = len(value)
        if isinstance(value, (list, tuple)) and value:
            fields["first"] = _safe_repr(value[0])
            fields["last"] = _safe_repr(value[-1])
    return fields


def _check_vars(force=False):
    """Report watched module globals of the script whose value changed."""
    global _in_var_check
    main = sys.modules.get("__main__")
    if main is None or _in_var_check:
        return
    _in_var_check = True
    try:
        namespace = vars(main)
        for name in _WATCH:
            if name not in namespace:
                continue
            value = namespace[name]
            mark = _fingerprint(value)
            if not force and _var_fingerprints.get(name) == mark:
                continue
            _var_fingerprints[name] = mark
            emit("var", name=name, **_describe(value))
    except Exception as exc:
        _shim_error("watch", exc)
    finally:
        _in_var_check = False


# -------------------------------------------------------------- current line


def _note_line(lineno):
    if not lineno:  # a frame's entry (RESUME) has no line yet
        return
    state = _line_state
    state["pending"] = lineno
    now = time.monotonic_ns()
    if now - state["last_ns"] >= LINE_MIN_INTERVAL_NS:
        _flush_line(now)


def _flush_line(now=None):
    state = _line_state
    line = state["pending"]
    if line is None or line == state["sent"]:
        return
    state["sent"] = line
    state["last_ns"] = now or time.monotonic_ns()
    emit("line", file=_SCRIPT, line=line)


def _install_line_tracer():
    if not _SCRIPT:
        return
    monitoring = getattr(sys, "monitoring", None)
    if monitoring is not None:
        _install_monitoring(monitoring)
    else:
        _install_settrace()


def _install_monitoring(monitoring):
    for tool in (4, 3, 5):
        try:
            monitoring.use_tool_id(tool, "forklore")
        except ValueError:
            continue
        disable = monitoring.DISABLE

        def on_line(code, lineno):
            if code.co_filename != _SCRIPT:
                return disable
            _note_line(lineno)

        monitoring.register_callback(tool, monitoring.events.LINE, on_line)
        monitoring.set_events(tool, monitoring.events.LINE)
        return


def _install_settrace():
    def local(frame, event, arg):
        if event == "line":
            _note_line(frame.f_lineno)
        return local

    def global_(frame, event, arg):
        if frame.f_code.co_filename == _SCRIPT:
            _note_line(frame.f_lineno)
            return local
        return None

    sys.settrace(global_)


# ------------------------------------------------------- caller classification

_user_code_cache = {}
_SYNC_PASSTHROUGH = ("__enter__", "__exit__", "acquire", "release")


def _semlock_enter(self):
    return self.acquire()


def _semlock_exit(self, *exc):
    return self.release()


_PASSTHROUGH_CODES = (_semlock_enter.__code__, _semlock_exit.__code__)


def _caller_is_user(depth):
    """True when the first frame outside the lock/queue plumbing is user code.

    Queue, Pool, Condition and Event use locks internally; showing those would
    bury the user's own objects, so only calls made from outside the
    multiprocessing and concurrent.futures packages count.
    """
    frame = sys._getframe(depth)
    while frame is not None:
        code = frame.f_code
        name = code.co_filename
        if code in _PASSTHROUGH_CODES or (
            name.startswith(_MP_DIR) and name.endswith("synchronize.py") and code.co_name in _SYNC_PASSTHROUGH
        ):
            frame = frame.f_back
            continue
        cached = _user_code_cache.get(code)
        if cached is None:
            if name.startswith(_MP_DIR) or name.startswith(_CF_DIR) or name == _SHIM_FILE:
                cached = False
            elif name.startswith("<") and "__name__" not in frame.f_globals:
                cached = False  # sharedctypes' exec'd property getters
            else:
                cached = True
            _user_code_cache[code] = cached
        return cached, frame
    return False, None


_object_names = {}


def _name_in_frame(frame, obj, key, match=None):
    """The variable name the user gave `obj`, found once per object."""
    if key in _object_names:
        return _object_names[key]
    found = None
    match = match or (lambda v: v is obj)
    try:
        for scope in (frame.f_locals, frame.f_globals):
            for var, value in list(scope.items()):
                if not var.startswith("__") and match(value):
                    found = var
                    break
            if found:
                break
    except Exception:
        found = None
    _object_names[key] = found
    return found


# ----------------------------------------------------------- locks/semaphores

_sync_labels = {}


def _sem_id(lock):
    sl = lock._semlock
    name = getattr(sl, "name", None)
    return name if name else "h%x" % sl.handle


def _sem_value(lock):
    try:
        return lock._semlock._get_value()
    except Exception:
        return None


def _sync_emit(lock, key, op, frame, value):
    label = _sync_labels.get(key) or type(lock).__name__
    if label == "Condition":
        name = _name_in_frame(frame, lock, key, lambda v: getattr(v, "_lock", None) is lock)
    else:
        name = _name_in_frame(frame, lock, key)
    emit("sync", id=key, type=label, name=name, op=op, value=value)


def _instrument_semlock(lock):
    real_acquire = lock.acquire
    real_release = lock.release
    # The id is the same in every process and for the object's life:
    # computed once, not at every acquire.
    key = _sem_id(lock)

    def acquire(*args, **kwargs):
        try:
            user, frame = _caller_is_user(2)
        except Exception as exc:
            _shim_error("sync", exc)
            user = False
        if not user:
            return real_acquire(*args, **kwargs)
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
            user, frame = _caller_is_user(2)
            if user and _release_would_succeed(lock):
                _sync_emit(lock, key, "released", frame, _value_after_release(lock))
        except Exception as exc:
            _shim_error("sync", exc)
        return real_release()

    lock.acquire = acquire
    lock.release = release


def _report(lock, key, op, frame):
    try:
        _sync_emit(lock, key, op, frame, _sem_value(lock))
    except Exception as exc:
        _shim_error("sync", exc)


def _release_would_succeed(lock):
    sl = lock._semlock
    if type(lock).__name__ in ("Lock", "RLock"):
        return sl._is_mine() if type(lock).__name__ == "RLock" else sl._get_value() < 1
    return sl._get_value() < sl.maxvalue


def _value_after_release(lock):
    sl = lock._semlock
    if type(lock).__name__ == "RLock":
        return 1 if sl._count() == 1 else 0
    return sl._get_value() + 1


def _patch_synchronize(mod):
    semlock = mod.SemLock
    real_make_methods = semlock._make_methods

    def _make_methods(self):
        real_make_methods(self)
        try:
            _instrument_semlock(self)
        except Exception as exc:
            _shim_error("semlock", exc)

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
            _sync_labels[_sem_id(self._lock)] = "Condition"
        except Exception as exc:
            _shim_error("condition", exc)

    def __init__(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        label(self)

    def __setstate__(self, state):
        real_setstate(self, state)
        label(self)

    def wait(self, timeout=None):
        user, frame = _caller_is_user(2)
        if user:
            _sync_emit(self._lock, _sem_id(self._lock), "waiting", frame, None)
        result = real_wait(self, timeout)
        if user:
            _sync_emit(self._lock, _sem_id(self._lock), "acquired", frame, None)
        return result

    condition.__init__ = __init__
    condition.__setstate__ = __setstate__
    condition.wait = wait


# ------------------------------------------------------------------- queues


def _queue_event(q, op, frame, item=None, with_item=False):
    try:
        key = _sem_id(q._rlock)
        fields = {"id": key, "op": op, "name": _name_in_frame(frame, q, "q:" + key)}
        if with_item:
            fields["item"] = _safe_repr(item)
        try:
            fields["size"] = q.qsize()
        except Exception:
            fields["size"] = None
        emit("queue", **fields)
    except Exception as exc:
        _shim_error("queue", exc)


def _patch_queue_class(cls, mod):
    full, empty = mod.Full, mod.Empty
    real_put = cls.put
    real_get = cls.get

    def put(self, obj, block=True, timeout=None):
        user, frame = _caller_is_user(2)
        if not user:
            return real_put(self, obj, block, timeout)
        try:
            real_put(self, obj, False)
        except full:
            if not block:
                raise
            _queue_event(self, "put_blocked", frame, obj, True)
            real_put(self, obj, True, timeout)
        _queue_event(self, "put", frame, obj, True)

    def get(self, block=True, timeout=None):
        user, frame = _caller_is_user(2)
        if not user:
            return real_get(self, block, timeout)
        try:
            item = real_get(self, False)
        except empty:
            if not block:
                raise
            _queue_event(self, "get_blocked", frame)
            item = real_get(self, True, timeout)
        _queue_event(self, "get", frame, item, True)
        return item

    cls.put = put
    if cls.get is real_get and "get" in vars(cls):
        cls.get = get


def _patch_queues(mod):
    _patch_queue_class(mod.Queue, mod)
    _patch_queue_class(mod.JoinableQueue, mod)


# --------------------------------------------------------------------- pool


def _patch_pool(mod):
    chunk_funcs = (mod.mapstar, mod.starmapstar)
    real_worker = mod.worker
    real_map_init = mod.MapResult.__init__

    @functools.wraps(real_worker)
    def worker(inqueue, outqueue, *args, **kwargs):
        try:
            _observe_worker_queues(inqueue, outqueue, chunk_funcs)
        except Exception as exc:
            _shim_error("pool.worker", exc)
        return real_worker(inqueue, outqueue, *args, **kwargs)

    def map_init(self, pool, chunksize, length, *args, **kwargs):
        real_map_init(self, pool, chunksize, length, *args, **kwargs)
        try:
            workers = len(pool._pool) if pool is not None else None
            chunks = -(-length // chunksize) if chunksize else 0
            emit("map", job=self._job, items=length, chunksize=chunksize, chunks=chunks, workers=workers)
        except Exception as exc:
            _shim_error("pool.map", exc)

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
            emit("map", job=self._job, items=0, chunksize=chunksize, chunks=0, workers=workers, streaming=True)
        except Exception as exc:
            _shim_error("pool.imap", exc)

    for name in ("imap", "imap_unordered"):
        real = getattr(mod.Pool, name)

        def wrapper(self, func, iterable, chunksize=1, _real=real):
            given.chunksize = chunksize
            return _real(self, func, iterable, chunksize)

        functools.update_wrapper(wrapper, real)
        setattr(mod.Pool, name, wrapper)
    mod.IMapIterator.__init__ = iter_init


def _observe_worker_queues(inqueue, outqueue, chunk_funcs):
    """Watch a Pool worker take tasks and hand back results (chunk = task)."""
    real_get = inqueue.get
    real_put = outqueue.put
    chunks = set()

    def get():
        task = real_get()
        try:
            if task is not None:
                job, index, func, args, _ = task
                # map/starmap chunks carry their items; any other task
                # (imap with chunksize 1, apply_async) is one item.
                size = len(args[0][1]) if func in chunk_funcs else 1
                chunks.add((job, index))
                emit("chunk_take", job=job, index=index, size=size)
        except Exception as exc:
            _shim_error("pool.get", exc)
        return task

    def put(result):
        try:
            job, index = result[0], result[1]
            if (job, index) in chunks:
                chunks.discard((job, index))
                if _WATCH:
                    _check_vars()
                emit("chunk_done", job=job, index=index, ok=bool(result[2][0]))
        except Exception as exc:
            _shim_error("pool.put", exc)
        return real_put(result)

    inqueue.get = get
    outqueue.put = put


# ------------------------------------------------------------------ manager

_server_pids = {}


def _server_pid(proxy):
    """The Manager server's pid, from the peer credentials of our connection."""
    address = proxy._token.address
    if address in _server_pids:
        return _server_pids[address]
    pid = None
    conn = getattr(proxy._tls, "connection", None)
    if conn is not None:
        import struct

        dup = _socket.socket(fileno=os.dup(conn.fileno()))
        try:
            creds = dup.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, struct.calcsize("3i"))
            pid = struct.unpack("3i", creds)[0]
        finally:
            dup.close()
    _server_pids[address] = pid
    return pid


def _patch_managers(mod):
    real_callmethod = mod.BaseProxy._callmethod

    def _callmethod(self, methodname, args=(), kwds={}):
        try:
            result = real_callmethod(self, methodname, args, kwds)
        except BaseException as exc:
            _proxy_event(self, methodname, args, "raised " + _safe_repr(exc))
            raise
        _proxy_event(self, methodname, args, _safe_repr(result))
        return result

    mod.BaseProxy._callmethod = _callmethod


def _proxy_event(proxy, method, args, result):
    try:
        emit(
            "proxy",
            server=_server_pid(proxy),
            id=str(proxy._token.id),
            typeid=proxy._token.typeid,
            method=method,
            args=[_safe_repr(a) for a in tuple(args)[:4]],
            result=result,
        )
    except Exception as exc:
        _shim_error("proxy", exc)


# ------------------------------------------------------------ process life


def _role_of(process):
    target = getattr(process, "_target", None)
    if getattr(target, "__name__", "") == "_run_server":
        return "manager"
    if "PoolWorker" in (process.name or ""):
        return "pool_worker"
    return "process"


def _patch_process(mod):
    base = mod.BaseProcess
    real_bootstrap = base._bootstrap
    real_start = base.start

    def _bootstrap(self, *args, **kwargs):
        try:
            role = _role_of(self)
            _announce(
                role,
                name=self.name,
                daemon=self.daemon,
                method=_current_start_method(),
                parent=getattr(self, "_parent_pid", None),
            )
            if role == "manager":
                emit("manager", ppid=os.getppid())
        except Exception as exc:
            _shim_error("bootstrap", exc)
        exitcode = real_bootstrap(self, *args, **kwargs)
        if _WATCH:
            _check_vars()
        return exitcode

    def start(self):
        real_start(self)
        try:
            emit("proc_spawn", child=self.pid, name=self.name, daemon=self.daemon, method=self._popen.method)
        except Exception as exc:
            _shim_error("start", exc)

    real_join = base.join

    def join(self, timeout=None):
        # Pool, Manager and concurrent.futures join their own helpers;
        # anyone else's join (the script's, or multiprocessing's at exit)
        # is worth showing.
        caller = sys._getframe(1).f_code.co_filename
        internal = caller.startswith(_CF_DIR) or caller.endswith(("pool.py", "managers.py"))
        report = not internal and getattr(self, "_popen", None) is not None and self._popen.returncode is None
        if report:
            emit("join", child=self.pid, op="waiting")
        try:
            return real_join(self, timeout)
        finally:
            if report:
                emit("join", child=self.pid, op="joined", exitcode=self._popen.returncode)

    base._bootstrap = _bootstrap
    base.start = start
    base.join = join


_reported_exits = set()


def _patch_popen(cls):
    real_poll = cls.poll

    def poll(self, *args, **kwargs):
        code = real_poll(self, *args, **kwargs)
        if code is not None and self.pid not in _reported_exits:
            _reported_exits.add(self.pid)
            try:
                emit("proc_exit", exitcode=code, by=os.getpid(), **{"pid": self.pid})
            except Exception as exc:
                _shim_error("poll", exc)
        return code

    cls.poll = poll


def _patch_util(mod):
    import atexit

    real_exit_function = mod._exit_function

    @functools.wraps(real_exit_function)
    def _exit_function(*args, **kwargs):
        if _is_root():
            _script_end()
        return real_exit_function(*args, **kwargs)

    atexit.unregister(real_exit_function)
    mod._exit_function = _exit_function
    atexit.register(_exit_function)


def _script_end():
    """The main script's own code has finished; shutdown begins."""
    global _script_ended
    if _script_ended:
        return
    _script_ended = True
    if _WATCH:
        _check_vars()
    emit("script_end")


def _wrap_main(mod, role, name):
    real_main = mod.main

    @functools.wraps(real_main)
    def main(*args, **kwargs):
        _announce(role, name=name)
        return real_main(*args, **kwargs)

    mod.main = main


def _patch_context(mod):
    if not _START_METHOD:
        return
    # Change the default without "setting" it, so a script's own
    # set_start_method() still works exactly as it would without forklore.
    try:
        mod._default_context._default_context = mod._concrete_contexts[_START_METHOD]
    except (AttributeError, KeyError) as exc:
        _shim_error("start_method", exc)


# ----------------------------------------------------------- lazy patching

_PATCHERS = {
    "multiprocessing.context": _patch_context,
    "multiprocessing.process": _patch_process,
    "multiprocessing.synchronize": _patch_synchronize,
    "multiprocessing.queues": _patch_queues,
    "multiprocessing.pool": _patch_pool,
    "multiprocessing.managers": _patch_managers,
    "multiprocessing.util": _patch_util,
    "multiprocessing.popen_fork": lambda m: _patch_popen(m.Popen),
    "multiprocessing.popen_forkserver": lambda m: _patch_popen(m.Popen),
    "multiprocessing.forkserver": lambda m: _wrap_main(m, "forkserver", "forkserver"),
    "multiprocessing.resource_tracker": lambda m: _wrap_main(m, "resource_tracker", "resource_tracker"),
}


def _apply_patch(name, module):
    try:
        _PATCHERS[name](module)
    except Exception as exc:
        _shim_error("patch " + name, exc)


class _PatchingLoader:
    def __init__(self, loader, name):
        self._loader = loader
        self._name = name

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _apply_patch(self._name, module)

    def __getattr__(self, attr):
        return getattr(self._loader, attr)


class _PatchFinder:
    """Meta path finder that patches multiprocessing modules as they load."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name not in _PATCHERS:
            return None
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _PatchingLoader(spec.loader, name)
        return spec


# ------------------------------------------------------------------ install


def _scale_sleep():
    real_sleep = time.sleep

    @functools.wraps(real_sleep)
    def sleep(seconds):
        if _LINES:
            _flush_line()
        return real_sleep(seconds * _SLOW)

    time.sleep = sleep


def _at_exit():
    if _is_root():
        _script_end()
    if _LINES:
        _flush_line()


def install():
    if not _SOCK_PATH:
        return
    import atexit

    os.register_at_fork(after_in_child=_after_fork_in_child)
    _replace_stream("stdout", 1)
    _replace_stream("stderr", 2)
    sys.meta_path.insert(0, _PatchFinder)
    for name in _PATCHERS:
        if name in sys.modules:
            _apply_patch(name, sys.modules[name])
    if _SLOW != 1.0 or _LINES:
        _scale_sleep()
    atexit.register(_at_exit)
    if _is_root():
        emit(
            "hello",
            v=PROTOCOL_VERSION,
            python="%d.%d.%d" % sys.version_info[:3],
            executable=sys.executable,
            start_method=_default_start_method(),
            script=_SCRIPT,
            argv=sys.argv[1:],
            forklore=_env.get("FORKLORE_VERSION"),
        )
        _announce("main", name="MainProcess")
    elif "--multiprocessing-fork" not in sys.argv and sys.argv[:1] != ["-c"]:
        _announce()  # a plain interpreter the script started (subprocess)
    if _LINES:
        _install_line_tracer()
