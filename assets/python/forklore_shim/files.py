"""JSON files the script itself reads and writes (`json.load`,
`json.dump`): what each process read, and what it wrote, so a file shared
by processes (a ticket counter) shows its contents live. Calls from
libraries are left alone; nothing is kept."""

import functools
import os
import sys

from . import core

FILE_TEXT_MAX = 200


def _script_path(fp):
    """The file's absolute path when the caller is the script, else None."""
    if sys._getframe(2).f_code.co_filename != core.SCRIPT:
        return None
    name = getattr(fp, "name", None)
    if not isinstance(name, str):
        return None
    return core.os_text(os.path.abspath(name))


class _Tee:
    """What json.dump writes, passed on to the file and kept (the first
    FILE_TEXT_MAX characters): dump only ever calls `fp.write`, so the
    object is serialised once, as without forklore."""

    def __init__(self, fp):
        self._fp = fp
        self.parts = []
        self.kept = 0

    def write(self, chunk):
        if self.kept < FILE_TEXT_MAX:
            self.parts.append(chunk)
            self.kept += len(chunk)
        return self._fp.write(chunk)


def patch_json(mod):
    real_load = mod.load
    real_dump = mod.dump

    @functools.wraps(real_load)
    def load(fp, *args, **kwargs):
        path = _script_path(fp)
        if path is None:
            return real_load(fp, *args, **kwargs)
        # What json.load does itself: read it all, then parse.
        text = fp.read()
        result = mod.loads(text, *args, **kwargs)
        _report(path, "read", text)
        return result

    @functools.wraps(real_dump)
    def dump(obj, fp, *args, **kwargs):
        path = _script_path(fp)
        if path is None:
            return real_dump(obj, fp, *args, **kwargs)
        tee = _Tee(fp)
        result = real_dump(obj, tee, *args, **kwargs)
        # Still in the file object's buffer: announced before the file is
        # flushed or closed, so before any process can read the new text.
        try:
            core.checkpoint("file", _body(path, "write", "".join(tee.parts)))
        except Exception as exc:
            core.shim_error("file", exc)
        return result

    mod.load = load
    mod.dump = dump


def _report(path, op, text):
    try:
        core.report("file", _body(path, op, text))
    except Exception as exc:
        core.shim_error("file", exc)


def _body(path, op, text):
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "replace")
    return core.fields(path=path, op=op, text=core.cut(text, FILE_TEXT_MAX))
