"""The current line of the script in each process (`--lines`), as `line`
events: sys.monitoring on 3.12+, sys.settrace before; rate-limited."""

import sys

from . import core, identity

LINE_MIN_INTERVAL_NS = 20_000_000
_SCRIPT_JSON = core.jstr(core.os_text(core.SCRIPT))

_watch_check = None  # set by install() when globals are watched too


def _note(lineno):
    if not lineno:  # a frame's entry (RESUME) has no line yet
        return
    state = core.STATE.line
    state["pending"] = lineno
    now = core._now()  # the events' clock (the program's may stand still: clock.py)
    if now - state["last_ns"] >= LINE_MIN_INTERVAL_NS:
        flush(now)


def flush(now=None):
    """Send the pending line if it changed (before any other event too, so
    an event is shown at the line that caused it)."""
    state = core.STATE.line
    line = state["pending"]
    if line is None or line == state["sent"]:
        return
    state["sent"] = line
    state["last_ns"] = now or core._now()
    identity.ensure_announced()
    if _watch_check is not None:
        _watch_check()  # what the lines before this one changed comes first
    core.emit("line", '"file":%s,"line":%d' % (_SCRIPT_JSON, line))


def _install_monitoring(monitoring):
    for tool in (4, 3, 5):
        try:
            monitoring.use_tool_id(tool, "forklore")
        except ValueError:
            continue
        disable = monitoring.DISABLE

        def on_line(code, lineno):
            if code.co_filename != core.SCRIPT:
                return disable
            _note(lineno)

        monitoring.register_callback(tool, monitoring.events.LINE, on_line)
        monitoring.set_events(tool, monitoring.events.LINE)
        return


def _install_settrace():
    def local(frame, event, arg):
        if event == "line":
            _note(frame.f_lineno)
        return local

    def global_(frame, event, arg):
        if frame.f_code.co_filename == core.SCRIPT:
            _note(frame.f_lineno)
            return local
        return None

    sys.settrace(global_)


def install(watch_check=None):
    """Report the pending line before every other event."""
    global _watch_check
    _watch_check = watch_check
    core.add_prelude(flush)


def start():
    """Start following the script's lines (after the run's hello)."""
    if not core.SCRIPT:
        return
    monitoring = getattr(sys, "monitoring", None)
    if monitoring is not None:
        _install_monitoring(monitoring)
    else:
        _install_settrace()
