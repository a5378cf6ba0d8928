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
    "context.py": ("Pipe",),
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
    try:
        frame = user_at(sys._getframe(depth))
    except ValueError:  # a shallower stack than a hook expects: not the user's
        return False, None
    return frame is not None, frame


def user_at(frame):
    """The user's frame that made the call `frame` is in, going up through
    the plumbing (passthrough frames), or None when the caller is
    multiprocessing's own. Known code (nearly always) costs a dict lookup
    per frame."""
    verdicts = _verdicts
    while frame is not None:
        code = frame.f_code
        verdict = verdicts.get(code)
        if verdict is None:
            verdict = verdicts[code] = _verdict(code, frame)
        if verdict == _USER:
            return frame
        if verdict == _INTERNAL:
            return None
        frame = frame.f_back
    return None


def user_frame():
    """The innermost frame of the user's own code on this thread's stack
    (None when there is none: multiprocessing's plumbing alone). For what
    does not know its caller's frame (step mode's `want`, --lines)."""
    frame = sys._getframe(1)
    while frame is not None and _verdicts.get(frame.f_code) != _USER:
        if frame.f_code not in _verdicts:
            _verdicts[frame.f_code] = _verdict(frame.f_code, frame)
            continue
        frame = frame.f_back
    return frame


def _verdict(code, frame):
    name = code.co_filename
    if code in _passthrough_codes:
        return _SKIP
    if name.startswith(core.MP_DIR):
        methods = _PASSTHROUGH.get(name[len(core.MP_DIR) :], ())
        return _SKIP if code.co_name in methods else _INTERNAL
    if name.startswith(core.CF_DIR) or name.startswith(core.SHIM_DIR) or name == core.THREADING_FILE:
        return _INTERNAL
    if name.startswith("<") and "__name__" not in frame.f_globals:
        return _INTERNAL  # sharedctypes' exec'd property getters
    return _USER


_object_names = {}


def name_in_frame(frame, obj, key, method):
    """The variable name the user gave `obj`, found once per object key:
    from the code calling `obj.method(...)` (or `with obj:`), else among
    the module's globals.

    The name is read from the bytecode, not from the frame's locals:
    before Python 3.13, reading `frame.f_locals` leaves a snapshot of every
    local variable on the frame, which would keep the program's objects
    alive after it deleted them.
    """
    if key in _object_names:
        return _object_names[key]
    try:
        name = _name_from_code(frame, method) or _name_in_globals(frame.f_globals, obj)
    except Exception:
        name = None
    _object_names[key] = name
    return name


def _name_in_globals(namespace, obj):
    for var, value in list(namespace.items()):
        if var.startswith("__"):
            continue
        # A Condition's or a shared Value's own lock goes by their name.
        if value is obj or getattr(value, "_lock", None) is obj:
            return var
    return None


# Instructions that load a named value; the receiver of a method call or
# of `with` is loaded by one of them (or by a `.get_lock()` call on one).
_LOADS = (
    "LOAD_FAST",
    "LOAD_FAST_CHECK",
    "LOAD_NAME",
    "LOAD_GLOBAL",
    "LOAD_DEREF",
    "LOAD_CLASSDEREF",
    "LOAD_ATTR",
    "LOAD_METHOD",
)
_WITH = ("SETUP_WITH", "BEFORE_WITH")
_names_at = {}  # (code, offset) -> name, decided once per call site
_instructions = {}  # code -> its instructions (bounded below)


def _name_from_code(frame, method):
    code = frame.f_code
    site = (code, frame.f_lasti)
    if site not in _names_at:
        if len(_names_at) > 10000:
            _names_at.clear()
            _instructions.clear()
        _names_at[site] = _receiver(_instructions_of(code), frame.f_lasti, method)
    return _names_at[site]


def _instructions_of(code):
    found = _instructions.get(code)
    if found is None:
        import dis

        found = _instructions[code] = list(dis.get_instructions(code))
    return found


def _receiver(ins, lasti, method):
    """The name loaded as the receiver at the call or `with` at `lasti`."""
    at = max((i for i, x in enumerate(ins) if x.offset <= lasti), default=None)
    if at is None:
        return None
    if ins[at].opname in _WITH:
        return _loaded_name(ins, at - 1)
    if ins[at].opname in _SUBSCRIPTS:
        return _subscripted(ins, at)
    for i in range(at, max(at - 16, 0), -1):
        x = ins[i]
        if x.opname in ("LOAD_METHOD", "LOAD_ATTR") and x.argval in (method, method + "_nowait"):
            return _loaded_name(ins, i - 1)
    return None


# `arr[i] = v`, `arr[i]`, `arr[a:b]`: the container is loaded before the
# index, or before the slice's two bounds.
_SUBSCRIPTS = ("STORE_SUBSCR", "BINARY_SUBSCR", "BINARY_SLICE")


def _subscripted(ins, at):
    if at < 4:
        return None
    if ins[at].opname == "BINARY_SLICE":  # 3.12+: bounds loaded apart
        return _loaded_name(ins, at - 3)
    if ins[at - 1].opname == "BUILD_SLICE" and ins[at - 1].argval == 2:
        return _loaded_name(ins, at - 4)
    if ins[at - 1].opname in _LOADS or ins[at - 1].opname == "LOAD_CONST":
        return _loaded_name(ins, at - 2)
    return None


def _loaded_name(ins, i):
    """The name the instruction at `i` loads (through `x.get_lock()`, or
    a COPY of it: `v.value += 1`)."""
    if i < 0:
        return None
    x = ins[i]
    if x.opname == "COPY":
        return _loaded_name(ins, i - 1)
    if x.opname in _LOADS:
        return x.argval if isinstance(x.argval, str) else None
    if x.opname.startswith("CALL") or x.opname == "PRECALL":
        for j in range(i - 1, max(i - 4, -1), -1):
            if ins[j].opname in ("LOAD_METHOD", "LOAD_ATTR") and ins[j].argval == "get_lock":
                return _loaded_name(ins, j - 1)
    return None
