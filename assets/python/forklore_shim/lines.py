"""The line of the script each process is at (`--lines`), as `line`
events: the line of the script that made the process's latest operation
(a lock, a queue, a Value, a print, a sleep, a join...), reported just
before that operation's own event whenever it changed.

No tracer: a line tracer (sys.settrace, sys.monitoring) runs Python code
at every line the program executes, which slows its loops down 10-30
times, and a program whose processes run that much slower races
differently than without forklore. Between its operations a process only
touches its own memory, so the line of its latest operation is where it
last did anything another process could see.
"""

from . import callers, core

_HEAD = b'{"kind":"line","file":%s,"line":' % core.jstr(core.os_text(core.SCRIPT)).encode()


def note(frame=None):
    """Report the script's line that `frame` (a frame of the user's code,
    by default the innermost on the stack) is at, or that called it, if it
    is not the line last reported. A prelude of every event."""
    if frame is None:
        frame = callers.user_frame()
    script = core.SCRIPT
    while frame is not None and frame.f_code.co_filename != script:
        frame = frame.f_back
    if frame is None:
        return
    line = frame.f_lineno
    state = core.STATE
    if line != state.line_sent and line:
        state.line_sent = line
        core.emit_head(_HEAD, line)

