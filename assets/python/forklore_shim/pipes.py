"""multiprocessing.Pipe: which process sends and receives what on which
end. An end is known by its kernel object (the socket's or pipe's inode,
the same in every process that holds it), so nothing is added to the
Connection and nothing changes in what is pickled. Only the script's own
send()/recv() calls count (Managers and Listeners use Connections too)."""

import functools
import os

from . import callers, core


def _end_id(conn):
    """`<inode>` of a duplex end; a one-way pipe's two ends share an inode,
    so they are told apart by direction (`<inode>r`, `<inode>w`)."""
    ino = os.fstat(conn.fileno()).st_ino
    if conn.readable and conn.writable:
        return str(ino)
    return "%d%s" % (ino, "r" if conn.readable else "w")


def patch(mod):
    real_pipe = mod.Pipe
    real_send = mod.Connection.send
    real_recv = mod.Connection.recv

    @functools.wraps(real_pipe)
    def Pipe(*args, **kwargs):
        a, b = real_pipe(*args, **kwargs)
        # A Queue's own pipe is multiprocessing's, not the script's.
        if not callers.caller_is_user(2)[0]:
            return a, b
        try:
            body = core.fields(op="open", end=_end_id(a), other=_end_id(b))
            core.report("pipe", body)
        except Exception as exc:
            core.shim_error("pipe", exc)
        return a, b

    @functools.wraps(real_send)
    def send(self, obj):
        user, _ = callers.caller_is_user(2)
        if user:
            _event(core.checkpoint, self, "send", obj)
        return real_send(self, obj)

    @functools.wraps(real_recv)
    def recv(self):
        obj = real_recv(self)
        user, _ = callers.caller_is_user(2)
        if user:
            _event(core.report, self, "recv", obj)
        return obj

    mod.Pipe = Pipe
    mod.Connection.send = send
    mod.Connection.recv = recv


def _event(send, conn, op, obj):
    try:
        send("pipe", core.fields(op=op, end=_end_id(conn), item=core.safe_repr(obj)))
    except Exception as exc:
        core.shim_error("pipe", exc)
