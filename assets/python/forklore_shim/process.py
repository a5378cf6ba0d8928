"""Process lives: start (in the parent), bootstrap (in the child), join,
exits multiprocessing reaps itself, the end of the main script's own code,
the forkserver and resource tracker, and the run's default start method."""

import functools
import os
import sys

from . import callers, core, exits, identity


def patch_process(mod):
    base = mod.BaseProcess
    real_bootstrap = base._bootstrap
    real_start = base.start
    real_join = base.join

    def _bootstrap(self, *args, **kwargs):
        try:
            role = identity.role_of(self)
            method = core.STATE.identity["method"] or identity.current_start_method()
            identity.announce(
                role,
                name=self.name,
                daemon=self.daemon,
                method=method,
                parent=getattr(self, "_parent_pid", None),
            )
            if role == "manager":
                core.report("manager", core.fields(ppid=os.getppid()))
        except Exception as exc:
            core.shim_error("bootstrap", exc)
        exitcode = real_bootstrap(self, *args, **kwargs)
        core.prelude()  # the last line and watched values before the end
        return exitcode

    def start(self):
        # In step mode only the script's own starts hold (never a Pool's
        # or a Manager's helpers, started by multiprocessing itself).
        if not core.STEP[0] or callers.caller_is_user(2)[0]:
            core.checkpoint("proc_spawn", core.fields(name=self.name), silent=True)
        real_start(self)
        try:
            body = core.fields(child=self.pid, name=self.name, daemon=self.daemon, method=self._popen.method)
            core.report("proc_spawn", body)
        except Exception as exc:
            core.shim_error("start", exc)

    def join(self, timeout=None):
        # Pool, Manager and concurrent.futures join their own helpers;
        # anyone else's join (the script's, or multiprocessing's at exit)
        # is worth showing.
        caller = sys._getframe(1).f_code
        where = caller.co_filename
        internal = where.startswith(core.CF_DIR) or where.endswith(("pool.py", "managers.py"))
        started = not internal and getattr(self, "_popen", None) is not None
        # A child already reaped returns at once: no wait to show, but the
        # script did join it (`joined` alone).
        shown = started and self._popen.returncode is None
        if shown:
            at_exit = caller.co_name == "_exit_function" and where.startswith(core.MP_DIR)
            # With a timeout it may return while the child runs on.
            body = core.fields(child=self.pid, op="waiting" if timeout is None else "waiting_timed")
            # multiprocessing's own join at exit reports but never holds.
            say = core.report if at_exit else core.checkpoint
            say("join", body + (',"at_exit":true' if at_exit else ""))
        try:
            return real_join(self, timeout)
        finally:
            if started:
                core.report("join", core.fields(child=self.pid, op="joined", exitcode=self._popen.returncode))

    base._bootstrap = _bootstrap
    base.start = start
    base.join = join
    _patch_script_calls(base)


def _from_script():
    """The caller of a wrapped method is the script (or a library), not
    multiprocessing's own plumbing (Pool, Manager, the exit handler)."""
    where = sys._getframe(2).f_code.co_filename
    return not where.startswith((core.MP_DIR, core.CF_DIR))


def _patch_script_calls(base):
    """terminate(), kill() and is_alive() as the script calls them on its
    children: the signal is announced before it goes, the answer after."""
    real_is_alive = base.is_alive

    def is_alive(self):
        alive = real_is_alive(self)
        if _from_script() and getattr(self, "_popen", None) is not None:
            core.report("alive", core.fields(child=self.pid, alive=alive))
        return alive

    def signaller(real, signal):
        @functools.wraps(real)
        def send(self):
            if _from_script() and getattr(self, "_popen", None) is not None:
                core.checkpoint("signal", core.fields(child=self.pid, signal=signal))
            return real(self)

        return send

    base.is_alive = is_alive
    base.terminate = signaller(base.terminate, 15)
    base.kill = signaller(base.kill, 9)


def patch_spawn(mod):
    """A spawn or forkserver child runs the script's module-level code
    again, as `__mp_main__`, when it prepares itself: reported after,
    only when the main module really was replaced (an already imported
    main is left alone by multiprocessing)."""
    for name in ("_fixup_main_from_path", "_fixup_main_from_name"):
        real = getattr(mod, name, None)
        if real is not None:
            setattr(mod, name, _reimport_reporter(real))


def _reimport_reporter(real):
    @functools.wraps(real)
    def fixup(*args, **kwargs):
        before = sys.modules.get("__main__")
        result = real(*args, **kwargs)
        try:
            main = sys.modules.get("__main__")
            if main is not before:
                core.report("main_import", core.fields(name=getattr(main, "__name__", "?")))
        except Exception as exc:
            core.shim_error("main_import", exc)
        return result

    return fixup


def patch_popen(mod):
    """multiprocessing's own reaping of a child, with its exit code (a
    forkserver child's status comes from the forkserver, not waitpid)."""
    cls = mod.Popen
    real_poll = cls.poll

    def poll(self, *args, **kwargs):
        code = real_poll(self, *args, **kwargs)
        if code is not None:
            exits.report_exit(self.pid, code)
        return code

    cls.poll = poll


def patch_subprocess(mod):
    """A program the script starts with subprocess is one of its processes
    (Python or not): it is reported, and its exit with it."""
    real_execute = mod.Popen._execute_child

    @functools.wraps(real_execute)
    def _execute_child(self, args, *rest, **kwargs):
        real_execute(self, args, *rest, **kwargs)
        try:
            program = args if isinstance(args, (str, bytes)) else args[0]
            name = core.os_text(os.path.basename(os.fsdecode(program)))
            exits.report_child(self.pid, name, "subprocess")
        except Exception as exc:
            core.shim_error("subprocess", exc)

    mod.Popen._execute_child = _execute_child


def patch_util(mod):
    """multiprocessing's exit handler: main's own code ended before it."""
    import atexit

    real_exit_function = mod._exit_function

    @functools.wraps(real_exit_function)
    def _exit_function(*args, **kwargs):
        if identity.is_root():
            script_end()
        return real_exit_function(*args, **kwargs)

    atexit.unregister(real_exit_function)
    mod._exit_function = _exit_function
    atexit.register(_exit_function)


def script_end():
    """The main script's own code has finished; shutdown begins."""
    state = core.STATE
    if state.script_ended:
        return
    state.script_ended = True
    core.report("script_end")


def wrap_main(role):
    """The forkserver's and resource tracker's `main`: announce who they are."""

    def patch(mod):
        real_main = mod.main

        @functools.wraps(real_main)
        def main(*args, **kwargs):
            identity.announce(role, name=role)
            return real_main(*args, **kwargs)

        mod.main = main

    return patch


def patch_context(mod):
    """The run's default start method: forklore's --start-method, and the
    script's own set_start_method() (reported as it changes it)."""
    real_set = mod.DefaultContext.set_start_method

    def set_start_method(self, method, force=False):
        real_set(self, method, force)
        try:
            core.report("start_method", core.fields(method=self.get_start_method()))
        except Exception as exc:
            core.shim_error("start_method", exc)

    mod.DefaultContext.set_start_method = set_start_method
    if not core.START_METHOD:
        return
    # Change the default without "setting" it, so a script's own
    # set_start_method() still works exactly as it would without forklore.
    try:
        mod._default_context._default_context = mod._concrete_contexts[core.START_METHOD]
    except (AttributeError, KeyError) as exc:
        core.shim_error("start_method", exc)


forkserver = wrap_main("forkserver")
resource_tracker = wrap_main("resource_tracker")
