"""forklore's instrumentation shim: stdlib only, loaded into every
interpreter of a run by the `sitecustomize.py` beside this package.

It reports what a multiprocessing program does as events (docs/protocol.md).
Rules it lives by:

* Never change the program: same output, results and exit code. Every hook
  calls the original; shim failures become `shim_error` events.
* Every hook passes `core.checkpoint` BEFORE the real operation: the one
  place where a process may be made to wait for forklore's go-ahead.
* Patch lazily: `multiprocessing.*` modules are patched as they are
  imported, by shim modules loaded only then (see finder.py).
* Cheap on hot paths: events per chunk, not per item; who called a lock is
  decided once per code object.

One module per concern: core (settings, state, events, the gate),
identity, output, exits, lines, watch, callers, sync, queues, pool,
manager, process, pace, step, clock, timeouts, finder.
"""

import os
import sys


class _BytecodeLoader:
    """Loads the shim's own modules straight from their cached bytecode.

    Every interpreter of a run imports the shim, and Python's general path
    search costs each module more than its bytecode does; the package's
    files are known, and their bytecode sits in forklore's cache (not
    copied into each run). A missing or stale .pyc falls back to the normal
    import, which compiles it into the run's folder (forklore keeps it).
    """

    _here = os.path.dirname(__file__) + os.sep
    # forklore's cache of the package's bytecode (else this folder's).
    _cache = os.environ.get("FORKLORE_PYCACHE") or _here + "__pycache__"
    _external = sys.modules["_frozen_importlib_external"]
    _spec = sys.modules["_frozen_importlib"].ModuleSpec

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if not name.startswith(__name__ + "."):
            return None
        short = name[len(__name__) + 1 :]
        source = cls._here + short + ".py"
        cached = "%s%s%s.%s.pyc" % (cls._cache, os.sep, short, sys.implementation.cache_tag)
        try:
            code = cls._read(source, cached)
        except Exception:
            return None  # the normal import compiles it (forklore keeps it)
        spec = cls._spec(name, cls, origin=source)
        spec.has_location = True
        spec.cached = cached
        spec.loader_state = code
        return spec

    @classmethod
    def _read(cls, source, cached):
        import _imp
        import marshal

        with open(cached, "rb") as f:
            data = f.read()
        st = os.stat(source)
        header = cls._external.MAGIC_NUMBER + bytes(4)  # timestamp-based pyc
        mtime = (int(st.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little")
        size = (st.st_size & 0xFFFFFFFF).to_bytes(4, "little")
        if data[:16] != header + mtime + size:
            raise ImportError("stale bytecode")
        code = marshal.loads(memoryview(data)[16:])
        _imp._fix_co_filename(code, source)
        return code

    @staticmethod
    def create_module(spec):
        return None

    @staticmethod
    def exec_module(module):
        exec(module.__spec__.loader_state, module.__dict__)

    @classmethod
    def load(cls, short):
        """forklore_shim.<short>: the patchers, loaded when the
        multiprocessing module they patch is imported (directly: the
        import machinery costs more than their bytecode)."""
        name = __name__ + "." + short
        module = sys.modules.get(name)
        if module is not None:
            return module
        # Compiled once and kept even under PYTHONDONTWRITEBYTECODE: every
        # interpreter of every run loads it.
        saved, sys.dont_write_bytecode = sys.dont_write_bytecode, False
        try:
            with cls():
                module = cls._load(name)
        finally:
            sys.dont_write_bytecode = saved
        setattr(sys.modules[__name__], short, module)
        return module

    @classmethod
    def _load(cls, name):
        spec = cls.find_spec(name)
        if spec is None:  # no usable bytecode yet: compile and cache it
            return __import__(name, fromlist=["_"])
        module = type(sys)(name)
        module.__spec__, module.__loader__, module.__package__ = spec, cls, __name__
        module.__file__, module.__cached__ = spec.origin, spec.cached
        sys.modules[name] = module
        try:
            cls.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
        return module

    # Only on sys.meta_path while the shim imports itself: every other
    # import of the program would pay for one more finder to ask.
    def __enter__(self):
        sys.meta_path.insert(0, type(self))

    def __exit__(self, *exc):
        sys.meta_path.remove(type(self))


load = _BytecodeLoader.load
load = _BytecodeLoader.load


with _BytecodeLoader():
    from . import core  # noqa: E402


def boot(sitecustomize, dont_write_bytecode):
    """Install the shim (never failing the program), then run the
    sitecustomize that forklore's own hides (Debian ships one)."""
    sys.dont_write_bytecode = False
    try:
        with _BytecodeLoader():
            install()
    except Exception as exc:
        try:
            os.write(2, ("forklore: shim failed to load: %r\n" % (exc,)).encode())
        except OSError:
            pass
    finally:
        sys.dont_write_bytecode = dont_write_bytecode
    here = os.path.dirname(os.path.abspath(sitecustomize))
    rest = _chain(here)
    # The script sees sys.path as it would without forklore (and its
    # imports no longer search the shim's folder first).
    sys.path[:] = rest


def _chain(here):
    """Execute the next `sitecustomize` on sys.path, the one ours hides."""
    rest = [p for p in sys.path if os.path.abspath(p or ".") != here]
    # A cheap look first: most interpreters have none to chain to.
    names = ("sitecustomize.py", "sitecustomize.pyc", "sitecustomize")
    if not any(os.path.exists(os.path.join(p or ".", n)) for p in rest for n in names):
        return rest
    import importlib.machinery
    import importlib.util

    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        sys.modules["sitecustomize"] = module
        spec.loader.exec_module(module)
    return rest


def install():
    if not core.SOCK_PATH:
        return
    import atexit

    from . import exits, finder, identity, output

    if not identity.is_root():
        core.STATE.identity["method"] = identity.spawned_method()
    os.register_at_fork(after_in_child=core.reset_after_fork)
    held = _install_clock()  # before the patches: it adds its own (finder.FIRST)
    output.install()
    exits.install()
    finder.install()
    _install_options(held)
    atexit.register(_at_exit)
    if identity.is_root():
        hello = core.fields(
            v=core.PROTOCOL_VERSION,
            python="%d.%d.%d" % sys.version_info[:3],
            executable=core.os_text(sys.executable),
            start_method=identity.default_start_method(),
            buffering=core._env.get("FORKLORE_BUFFERING") or None,
            script=core.os_text(core.SCRIPT),
            argv=[core.os_text(a) for a in sys.argv[1:]],
            forklore=core.VERSION,
        )
        core.emit("hello", hello)
        identity.announce("main", name="MainProcess")
    elif "--multiprocessing-fork" not in sys.argv and sys.argv[:1] != ["-c"]:
        identity.announce()  # a plain interpreter the script started (subprocess)


def _install_clock():
    """In a run forklore can hold (it gave the run a control file): the
    run's clock, its timeouts and step mode. The clock module, or None."""
    if not core._env.get("FORKLORE_CONTROL"):
        return None
    from . import clock

    control = clock.install()
    if control is None:
        return None
    from . import finder, step, timeouts

    finder.FIRST.update(timeouts.PATCHES)
    step.install(control)
    return clock


def _install_options(held):
    """--watch, --lines and --slow: loaded only when asked for (and time.sleep
    in a run forklore can hold, `held`: the clock)."""
    if core.WATCH:
        from . import watch

        watch.install()  # what the lines before changed comes first
    if core.LINES:
        from . import lines

        core.add_prelude(lines.note)
    if core.SLOW != 1.0 or core.LINES or held:
        from . import pace

        pace.install(held.sleep if held else None)


def _at_exit():
    from . import identity

    if identity.is_root():
        load("process").script_end()
