"""Who this process is: main, a multiprocessing child, a Pool worker, a
Manager server, the forkserver... announced once per pid as `proc_start`."""

import os
import sys

from . import core


def is_root():
    # forklore starts the script as the leader of a fresh process group.
    return os.getpid() == os.getpgrp()


def default_start_method():
    return core.START_METHOD or ("forkserver" if sys.version_info >= (3, 14) else "fork")


def current_start_method():
    mp = sys.modules.get("multiprocessing")
    if mp is None:
        return default_start_method()
    try:
        return mp.get_start_method(allow_none=True) or default_start_method()
    except Exception:
        return default_start_method()


def announce(role=None, **identity):
    """Emit proc_start for this pid, again only if its role becomes known.

    A spawned child can print while it re-imports the script, before
    multiprocessing tells us who it is; it is announced with a guess first.
    """
    state = core.STATE
    ident = state.identity
    if state.announced and (role is None or role == ident["role"]):
        # Known already, unless this says more: the name of a process that
        # had to announce itself with a guess (a forkserver's child that
        # re-imports the script before multiprocessing says who it is).
        if role is None or all(ident.get(k) == v for k, v in identity.items()):
            return
    if role is not None:
        ident["role"] = role
    ident.update(identity)
    state.announced = True
    if ident["role"] is None:
        ident["role"], ident["name"] = _guess()
    body = core.fields(
        ppid=os.getppid(),
        parent=ident["parent"],
        name=ident["name"],
        role=ident["role"],
        daemon=bool(ident["daemon"]),
        method=ident["method"],
        argv=[core.cut(core.os_text(a), 120) for a in sys.argv[:8]],
    )
    core.emit("proc_start", body)


def ensure_announced():
    if not core.STATE.announced:
        announce()


def _guess():
    if is_root():
        return "main", "MainProcess"
    # A spawn child says so in its argv; a forkserver's child was forked by
    # the forkserver (it may re-import the script before it knows more).
    if "--multiprocessing-fork" in sys.argv or core.STATE.identity.get("method") == "forkserver":
        return "process", None
    return "python", core.os_text(os.path.basename(sys.argv[0] or "python"))


def role_of(process):
    """The role of a multiprocessing Process object, from what it runs."""
    target = getattr(process, "_target", None)
    if getattr(target, "__name__", "") == "_run_server":
        return "manager"
    if "PoolWorker" in (process.name or ""):
        return "pool_worker"
    return "process"


def spawned_method():
    """How a child that is not a fork of its parent was started."""
    if "--multiprocessing-fork" in sys.argv or "multiprocessing.spawn" in sys.modules:
        return "spawn"
    return None


core.set_announcer(announce)
