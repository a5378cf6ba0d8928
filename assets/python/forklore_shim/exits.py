"""The program's own children: a child made with `os.fork()` is reported
(`proc_spawn`, so forklore watches it even if it never runs the shim's
code), and the exits the program reaps itself: `os.waitpid`, `os.wait`,
`wait3`, `wait4`, `waitid` (which `subprocess` and `os.fork` users call,
and the forkserver for its children) report the exit status they saw as
`proc_exit`, once per child. Only the reaper can know it: forklore is not
the parent of these processes."""

import os

from . import core

_real = {}


def exitcode(status):
    """Python's convention: the exit status, or minus the signal."""
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    if os.WIFEXITED(status):
        return os.WEXITSTATUS(status)
    return None  # stopped or continued: not an exit


def report_exit(pid, code):
    reported = core.STATE.reported_exits
    if code is None or pid <= 0 or pid in reported:
        return
    if len(reported) > 65536:
        reported.clear()
    reported.add(pid)
    try:
        body = '"exitcode":%d,"by":%d' % (code, core.STATE.pid)
        core.report("proc_exit", body, pid=pid)
    except Exception as exc:
        core.shim_error("exit", exc)


def _waitpid(pid, options):
    rpid, status = _real["waitpid"](pid, options)
    if rpid > 0:
        report_exit(rpid, exitcode(status))
    return rpid, status


def _wait():
    pid, status = _real["wait"]()
    report_exit(pid, exitcode(status))
    return pid, status


def _wait3(options):
    pid, status, usage = _real["wait3"](options)
    if pid > 0:
        report_exit(pid, exitcode(status))
    return pid, status, usage


def _wait4(pid, options):
    rpid, status, usage = _real["wait4"](pid, options)
    if rpid > 0:
        report_exit(rpid, exitcode(status))
    return rpid, status, usage


def _waitid(idtype, ident, options):
    info = _real["waitid"](idtype, ident, options)
    if info is not None and not options & getattr(os, "WNOWAIT", 0):
        if info.si_code == os.CLD_EXITED:
            report_exit(info.si_pid, info.si_status)
        elif info.si_code in (os.CLD_KILLED, os.CLD_DUMPED):
            report_exit(info.si_pid, -info.si_status)
    return info


def report_child(pid, name, method):
    try:
        body = core.fields(child=pid, name=name, daemon=False, method=method)
        core.report("proc_spawn", body)
    except Exception as exc:
        core.shim_error("fork", exc)


def _fork():
    pid = _real["fork"]()
    if pid > 0:
        report_child(pid, None, "fork")
    return pid


def install():
    for name, wrapper in (
        ("fork", _fork),
        ("waitpid", _waitpid),
        ("wait", _wait),
        ("wait3", _wait3),
        ("wait4", _wait4),
        ("waitid", _waitid),
    ):
        real = getattr(os, name, None)
        if real is not None:
            _real[name] = real
            setattr(os, name, wrapper)
