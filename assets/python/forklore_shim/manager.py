"""Manager proxies: every call a client makes on a proxy (`d['count']` is a
`__getitem__`, `d['count'] = v` a `__setitem__`), with the server's pid."""

import os

from . import core

_server_pids = {}  # manager address -> server pid (same in every process)


def _server_pid(proxy):
    """The Manager server's pid, from the peer credentials of our connection."""
    address = proxy._token.address
    if address in _server_pids:
        return _server_pids[address]
    pid = None
    conn = getattr(proxy._tls, "connection", None)
    if conn is not None:
        import _socket
        import struct

        dup = _socket.socket(fileno=os.dup(conn.fileno()))
        try:
            creds = dup.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, struct.calcsize("3i"))
            pid = struct.unpack("3i", creds)[0]
        finally:
            dup.close()
    _server_pids[address] = pid
    return pid


def patch(mod):
    real_callmethod = mod.BaseProxy._callmethod

    def _callmethod(self, methodname, args=(), kwds={}):
        # A call reaches another process: a checkpoint. Its outcome (the
        # result) is what is reported.
        if core.STEP[0]:  # step mode's `want` says what the call reads or writes
            body = core.fields(
                id=str(self._token.id),
                method=methodname,
                typeid=self._token.typeid,
                args=[core.safe_repr(a) for a in tuple(args)[:4]],
            )
        else:
            body = core.fields(id=str(self._token.id), method=methodname)
        core.checkpoint("proxy", body, silent=True)
        try:
            result = real_callmethod(self, methodname, args, kwds)
        except BaseException as exc:
            _report(self, methodname, args, "raised " + core.safe_repr(exc))
            raise
        _report(self, methodname, args, core.safe_repr(result))
        return result

    mod.BaseProxy._callmethod = _callmethod


def _report(proxy, method, args, result):
    try:
        body = core.fields(
            server=_server_pid(proxy),
            id=str(proxy._token.id),
            typeid=proxy._token.typeid,
            method=method,
            args=[core.safe_repr(a) for a in tuple(args)[:4]],
            result=result,
        )
        core.report("proxy", body)
    except Exception as exc:
        core.shim_error("proxy", exc)
