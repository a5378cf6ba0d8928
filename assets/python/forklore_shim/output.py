"""stdout and stderr as events: every write a process makes to the run's
own outputs (terminals or pipes) becomes a `write` event, which is also
a checkpoint (a write is how one process's output interleaves with
another's).

Only the run's outputs are captured, recognised by device and inode
(FORKLORE_STDOUT / FORKLORE_STDERR): a Python the script starts with its
output captured (`subprocess.run(..., capture_output=True)`) writes to its
parent's pipe, which is none of forklore's business. Each write checks that
its fd still is the run's output, so a closed fd fails as it would without
forklore, and one pointed elsewhere (`os.dup2`) writes there.
"""

import io
import os
import sys

from . import core

# An event must fit in one datagram (64 KiB, its largest way to forklore),
# and in step mode a `want` repeats the body with a little more.
MAX_BODY = 60 * 1024


def _output(variable):
    """(device, inode) of a run's output (a terminal or a pipe), from forklore."""
    try:
        dev, ino = os.environ[variable].split(":")
        return int(dev), int(ino)
    except (KeyError, ValueError):
        return None


_OUTPUTS = {1: _output("FORKLORE_STDOUT"), 2: _output("FORKLORE_STDERR")}


def is_runs_output(fd):
    """Is `fd` the run's own stdout/stderr right now?"""
    expected = _OUTPUTS.get(fd)
    if expected is None:
        return False
    st = os.fstat(fd)  # raises on a closed fd, as the real write would
    return (st.st_dev, st.st_ino) == expected


class EventWriter(io.RawIOBase):
    """A raw stream whose every write becomes a `write` event: the bytes
    exactly (as text when they are UTF-8, in base64 when not). Output
    travels only as events so that forklore's order of fragments and
    colour-by-PID agree; if forklore is gone the bytes go to the real fd.
    """

    def __init__(self, fd, name):
        super().__init__()
        self._fd = fd
        self._name = name

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
        return write_fd(self._fd, data)


_real_write = os.write


def write_fd(fd, data):
    """Write `data` to `fd`: as events when `fd` is the run's output (and
    forklore listens), else for real. `os.write` too comes here, so output
    written below `print` keeps its place among the rest."""
    data = bytes(data)
    if not (core.is_active() and is_runs_output(fd)):
        return _real_write(fd, data)
    for body in _bodies(fd, data):
        core.checkpoint("write", body)
    if not core.is_active():  # forklore went away meanwhile
        _real_write(fd, data)
    return len(data)


def _os_write(fd, data):
    if fd == 1 or fd == 2:
        return write_fd(fd, data)
    return _real_write(fd, data)


def _bodies(fd, data):
    """`data` as the bodies of `write` events: one, as the program wrote it
    (one write(2) is one event, however Python cut its output), unless its
    JSON would not fit in a datagram (a single write of tens of KB); then
    cut in halves until each piece fits."""
    body = _body(fd, data)
    if len(body) <= MAX_BODY or len(data) < 2:
        return [body]
    half = len(data) // 2
    return _bodies(fd, data[:half]) + _bodies(fd, data[half:])


def _body(fd, chunk):
    try:
        return '"fd":%d,"text":%s' % (fd, core.jstr(chunk.decode("utf-8")))
    except UnicodeDecodeError:
        import binascii

        return '"fd":%d,"b64":"%s"' % (fd, binascii.b2a_base64(chunk, newline=False).decode())


def replace_stream(attr, fd):
    """Swap sys.stdout/sys.stderr for a same-shaped stream over EventWriter,
    when it writes to the run's own output. It buffers exactly as the
    stream Python made did, so each `write` event is one write(2) it would
    have made: line-buffered on a terminal, write-through under -u, else
    block-buffered in a buffer as big as Python chose (the fd's
    st_blksize: 1024 on a terminal, 4096 on a pipe here)."""
    old = getattr(sys, attr, None)
    if old is None or not hasattr(old, "fileno"):
        return
    try:
        if old.fileno() != fd or not is_runs_output(fd):
            return
    except (OSError, ValueError, io.UnsupportedOperation):
        return
    raw = EventWriter(fd, getattr(old, "name", "<%s>" % attr))
    unbuffered = getattr(old, "write_through", False)
    binary = raw if unbuffered else io.BufferedWriter(raw, _buffer_size(old, fd))
    new = io.TextIOWrapper(
        binary,
        encoding=getattr(old, "encoding", None) or "utf-8",
        errors=getattr(old, "errors", None) or "strict",
        line_buffering=getattr(old, "line_buffering", False),
        write_through=unbuffered,
    )
    setattr(sys, attr, new)
    setattr(sys, "__%s__" % attr, new)


def _buffer_size(stream, fd):
    """The buffer size of `stream`'s BufferedWriter. Python sizes it by the
    fd (io.open: the FileIO's `_blksize`, st_blksize when above 1, else
    io.DEFAULT_BUFFER_SIZE) and does not say it afterwards."""
    blksize = getattr(getattr(getattr(stream, "buffer", None), "raw", None), "_blksize", None)
    if isinstance(blksize, int) and blksize > 1:
        return blksize
    try:
        blksize = os.fstat(fd).st_blksize
    except (OSError, AttributeError):
        blksize = 0
    return blksize if blksize > 1 else io.DEFAULT_BUFFER_SIZE


def install():
    replace_stream("stdout", 1)
    replace_stream("stderr", 2)
    os.write = _os_write
