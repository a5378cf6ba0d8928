"""stdout and stderr as events: every write a process makes to the run's
shared terminal becomes a `write` event, which is also a checkpoint (a
write is how one process's output interleaves with another's)."""

import io
import os
import sys

from . import core

WRITE_CHUNK_CHARS = 4096


class EventWriter(io.RawIOBase):
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
            core.checkpoint("write", '"fd":%d,"text":%s' % (self._fd, core.jstr(piece)))
            if not core.is_active():
                os.write(self._fd, piece.encode(self._encoding, "replace"))
        return len(data)


def replace_stream(attr, fd):
    """Swap sys.stdout/sys.stderr for a same-shaped stream over EventWriter."""
    old = getattr(sys, attr, None)
    if old is None or not hasattr(old, "fileno"):
        return
    try:
        if old.fileno() != fd:
            return
    except (OSError, ValueError, io.UnsupportedOperation):
        return
    encoding = getattr(old, "encoding", None) or "utf-8"
    raw = EventWriter(fd, getattr(old, "name", "<%s>" % attr), encoding)
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


def install():
    replace_stream("stdout", 1)
    replace_stream("stderr", 2)
