"""Who called: the user's code, or multiprocessing's own plumbing?

Queue, Pool, Condition and Event use locks internally; showing those would
bury the user's own objects, so only calls made from outside the
multiprocessing and concurrent.futures packages count. Also finds the
variable name the user gave an object, once per object.
"""

import sys

from . import core

# Methods that only pass a call through: `with lock:` goes
# SemLock.__enter__ -> acquire, `q.put_nowait(x)` goes put_nowait -> put.
_PASSTHROUGH = {
    "synchronize.py": ("__enter__", "__exit__", "acquire", "release"),
    "queues.py": ("put_nowait", "get_nowait"),
}
_passthrough_codes = set()

# Verdicts per code object, computed once: skip the frame, or the caller is
# (not) the user.
_SKIP, _USER, _INTERNAL = 0, 1, 2
_verdicts = {}


def add_passthrough(func):
    """Frames of `func` (a shim wrapper) are skipped when looking for the caller."""
    _passthrough_codes.add(func.__code__)


def caller_is_user(depth):
    """(True, frame) when the first frame outside the lock/queue plumbing,
    `depth` frames up from the caller of this function, is user code."""
    frame = sys._getframe(depth)
    verdicts = _verdicts
    while frame is not None:
        code = frame.f_code
        verdict = verdicts.get(code)
        if verdict is None:
            verdict = verdicts[code] = _verdict(code, frame)
        if verdict == _SKIP:
            frame = frame.f_back
            continue
        return verdict == _USER, frame
    return False, None


def _verdict(code, frame):
    name = code.co_filename
    if code in _passthrough_codes:
        return _SKIP
    if name.startswith(core.MP_DIR):
        methods = _PASSTHROUGH.get(name[len(core.MP_DIR) :], ())
        return _SKIP if code.co_name in methods else _INTERNAL
    if name.startswith(core.CF_DIR) or name.startswith(core.SHIM_DIR):
        return _INTERNAL
    if name.startswith("<") and "__name__" not in frame.f_globals:
        return _INTERNAL  # sharedctypes' exec'd property getters
    return _USER


_object_names = {}


def name_in_frame(frame, obj, key, match=None):
    """The variable name the user gave `obj`, found once per object key."""
    if key in _object_names:
        return _object_names[key]
    found = None
    match = match or (lambda v: v is obj)
    try:
        for scope in (frame.f_locals, frame.f_globals):
            for var, value in list(scope.items()):
                if not var.startswith("__") and match(value):
                    found = var
                    break
            if found:
                break
    except Exception:
        found = None
    _object_names[key] = found
    return found
