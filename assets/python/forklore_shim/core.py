"""The one way out of a process: settings, per-process state, the event
encoding and transport, and the gate every hook passes.

Three entry points, and nothing else sends events:

* ``checkpoint(kind, **fields)`` -- called by a hook BEFORE the real
  operation (a lock acquire or release, a queue put or get, a Manager call,
  a write to stdout/stderr, a Process start or join, a Pool worker taking a
  task). It is the single place where a process may be made to wait for
  forklore's go-ahead (step mode, slow motion).
* ``report(kind, **fields)`` -- after the fact, where the outcome matters
  (acquired, blocked, got an item, a chunk done).
* ``emit(kind, **fields)`` -- bookkeeping that never waits (proc_start,
  line, var); the two above use it after their prelude.
"""

import os
import time

try:  # the C string escaper json uses, without importing json (and re)
    from _json import encode_basestring_ascii as _json_str
except ImportError:  # pragma: no cover - every CPython has _json
    from json.encoder import py_encode_basestring_ascii as _json_str

PROTOCOL_VERSION = 2
ITEM_REPR_MAX = 80

# ------------------------------------------------------------------ settings
# Read once per interpreter; children inherit them through the environment.

_env = os.environ
SOCK_PATH = _env.get("FORKLORE_SOCK")
SCRIPT = _env.get("FORKLORE_SCRIPT") or ""
START_METHOD = _env.get("FORKLORE_START_METHOD") or None
WATCH = [n for n in (_env.get("FORKLORE_WATCH") or "").split(",") if n]
LINES = _env.get("FORKLORE_LINES") == "1"
try:
    SLOW = float(_env.get("FORKLORE_SLOW") or "1")
except ValueError:
    SLOW = 1.0
VERSION = _env.get("FORKLORE_VERSION")

MP_DIR = os.path.dirname(os.__file__) + os.sep + "multiprocessing" + os.sep
CF_DIR = os.path.dirname(os.__file__) + os.sep + "concurrent" + os.sep
# multiprocessing's Barrier is threading's, over a multiprocessing Condition.
THREADING_FILE = os.path.dirname(os.__file__) + os.sep + "threading.py"
SHIM_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


# ------------------------------------------------------- per-process state


class ProcessState:
    """Everything that belongs to one process and must not be inherited by
    a fork child. `reset` is the one place it is (re)initialised: at import
    and, in a child, right after a fork."""

    def __init__(self):
        self.reset(None)

    def reset(self, method):
        self.pid = os.getpid()
        self.sock = None  # the datagram socket, opened lazily by this pid
        self.sent = 0  # events sent by datagram, until the ring opens
        self.ring = None  # this pid's own ring (transport.Ring), once opened
        self.broken = False  # forklore is gone: stop sending
        self.announced = False  # proc_start sent for this pid
        self.identity = {"role": None, "name": None, "daemon": False, "method": method, "parent": None}
        self.errors_seen = set()  # shim errors reported once each
        self.var_marks = {}  # watched global -> fingerprint last reported
        self.in_var_check = False
        self.line_sent = None  # the script's line last reported (--lines)
        self.script_ended = False
        self.reported_exits = set()  # child pids whose exit this process saw
        self.executor_task = None  # (pool, job, task) a worker runs now
        self.gate = None  # step mode: this pid's gate pipe (read end), once made


STATE = ProcessState()

# Before the first event of a pid: who it is (identity.announce). Before
# every checkpoint and report: the preludes (changed watched globals, the
# script's line the operation is made at), each given the user's frame
# that made the operation when the hook knows it (else None: they look).
# Each sends its own bookkeeping with `emit`, so nothing here recurses.
_announce = None
_preludes = []


def set_announcer(announce):
    global _announce
    _announce = announce


def add_prelude(hook):
    _preludes.append(hook)


def reset_after_fork():
    """In a fork child: forget the parent's process state (one place)."""
    parent = STATE.identity.get("role")
    if STATE.gate is not None:  # the parent's go-aheads are not ours
        try:
            os.close(STATE.gate)
        except OSError:
            pass
    STATE.reset("forkserver" if parent == "forkserver" else "fork")


# ----------------------------------------------------------------- events
#
# An event is built as JSON text directly: `body` is its fields as JSON
# members ('"op":"put","size":2', made by `fields()` or, on hot paths, by a
# hook's own preformatted string); kind, pid and time are added here.


def emit(kind, body="", pid=None):
    """Send one event. Bookkeeping: never waits, never recurses."""
    state = STATE
    sep = "," if body else ""
    data = ('{"kind":"%s",%s%s"pid":%d,"t":%d}' % (kind, body, sep, pid or state.pid, _now())).encode()
    ring = state.ring
    # The common path straight to the ring: one call less per event.
    return ring.put(data) if ring is not None else _send(data)


def prelude(frame=None):
    """What comes before an operation's event (see `_preludes`); `frame`:
    the user's frame that made it, if known."""
    if not STATE.announced:
        _announce()
    for hook in _preludes:
        hook(frame)


def report(kind, body="", pid=None, frame=None):
    """An event after the real operation: its outcome."""
    if _preludes or not STATE.announced:
        prelude(frame)
    return emit(kind, body, pid)


def checkpoint(kind, body="", silent=False, frame=None):
    """Called BEFORE every operation through which one process can affect
    another. In step mode, holds until forklore lets this one operation go
    (see `step`); then sends the event (unless `silent`: the operation's
    outcome is reported afterwards and says all) and passes the gates."""
    if _preludes or not STATE.announced:
        prelude(frame)
    if STEP[0]:
        _stepper(kind, body)
    if not silent:
        emit(kind, body)
    if GATED:
        for gate in _gates:
            gate(kind, body)


# The hot path (a lock in a loop): a hook keeps its event's bytes up to a
# last integer field, `head` (b'{"kind":"sync",...,"value":'), and only
# the value, the pid and the time are formatted per event.


def emit_head(head, value, t=None, held=False):
    """Send `head` + `value` as one event made at `t` (default: now):
    through the ring as a compact record (a template number, the time, the
    value: no formatting) when the value is an int that fits 64 bits or
    None, else as JSON. `held`: it ends the ring's `hold` (transport),
    whatever happens."""
    ring = STATE.ring
    try:
        if ring is not None:
            sent = ring.put_compact(head, value, t)
            if sent is not None:
                return sent
        if t is None:
            t = _now()
        if value is None:
            data = b'%snull,"pid":%d,"t":%d}' % (head, STATE.pid, t)
        else:
            data = b'%s%d,"pid":%d,"t":%d}' % (head, value, STATE.pid, t)
        return ring.put(data) if ring is not None else _send(data)
    finally:
        if held and ring is not None:
            ring.unhold()


def free_running():
    """True when a checkpoint would hold nothing: no step mode, no slow
    motion. Only then may a hook report its operation after it happened
    (see `transport.Ring.hold`), having run the `prelude` before it."""
    return not (STEP[0] or GATED)


def report_head(head, value, frame=None):
    """`report` of a preformatted event."""
    if _preludes or not STATE.announced:
        prelude(frame)
    return emit_head(head, value)


def checkpoint_head(kind, head, value, body, frame=None):
    """`checkpoint` of a preformatted event (`body`: what step mode's
    `want` says of it)."""
    if _preludes or not STATE.announced:
        prelude(frame)
    if STEP[0]:
        _stepper(kind, body)
    emit_head(head, value)
    if GATED:
        for gate in _gates:
            gate(kind, head)


# True once something may hold processes at their checkpoints (slow motion):
# with nothing, a checkpoint costs this one flag check.
GATED = False
_gates = []

# Step mode's control byte (the mapping `step.install` makes in a run that
# may step; else a constant 0) and what holds a process at a checkpoint.
STEP = b"\0"
_stepper = None


def set_stepper(hold):
    global _stepper
    _stepper = hold


def add_gate(gate):
    """`gate(kind, body)` runs at every checkpoint, after its event was
    sent and before the real operation: the one place a process may be made
    to wait (for forklore's go-ahead, or to slow the run down)."""
    global GATED
    _gates.append(gate)
    GATED = True


def shim_error(where, exc):
    """Report a failure of the shim once; the program itself runs on."""
    key = (where, type(exc).__name__)
    if key in STATE.errors_seen:
        return
    STATE.errors_seen.add(key)
    try:
        emit("shim_error", fields(error="%s: %s: %s" % (where, type(exc).__name__, exc)))
    except Exception:
        pass


# --------------------------------------------------------------- encoding

_now = time.monotonic_ns
jstr = _json_str  # a str as a JSON string


def jval(v):
    """Any value as JSON: None, bools, ints, strings, lists; others as repr."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    t = type(v)
    if t is str:
        return _json_str(v)
    if t is int:
        return str(v)
    if isinstance(v, int):
        return str(int(v))
    if isinstance(v, str):
        return _json_str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(map(jval, v)) + "]"
    if isinstance(v, float) and v == v and v not in (float("inf"), float("-inf")):
        return repr(v)
    return _json_str(repr(v))


def fields(**values):
    """Keyword arguments as JSON members, for an event's `body`. Keys are
    the shim's own identifiers and need no escaping."""
    return ",".join('"%s":%s' % (key, jval(v)) for key, v in values.items())


def os_text(text):
    """A path or argument as text JSON can carry: bytes that are not UTF-8
    (kept by Python as lone surrogates) become U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def cut(text, limit):
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def safe_repr(value, limit=ITEM_REPR_MAX):
    try:
        return cut(repr(value), limit)
    except Exception as exc:
        return "<unrepresentable %s: %s>" % (type(value).__name__, type(exc).__name__)


# -------------------------------------------------------------- transport
#
# A process's first event (its announcement, made before any of the
# program's code runs in it) goes by datagram; right after it, the process
# opens its own shared-memory ring (see `transport`), and its later events
# go there, with no system call. Opening the ring then costs ~30 us once,
# outside the program's code; opened later, it would land in the middle of
# whatever the program does next (a child's first `counter.value += 1`,
# say), and a datagram there (~10 us) would widen the race it is part of.


def _send(data):
    """Send one event. Returns False once forklore is gone."""
    state = STATE
    ring = state.ring
    if ring is not None:
        return ring.put(data)
    if state.broken or not SOCK_PATH:
        return False
    sent = datagram(data)
    state.sent += 1
    if state.sent == 1 and sent:
        from . import transport

        # The ring is announced by datagram after this pid's earlier
        # datagram, so forklore reads that first: order kept.
        state.ring = transport.open_ring(state, datagram)
    return sent


def datagram(data, fds=None):
    """One datagram on the run's socket, blocking; with `fds`, passing them
    (SCM_RIGHTS). False once forklore is gone."""
    state = STATE
    if state.broken or not SOCK_PATH:
        return False
    try:
        if state.sock is None:
            import _socket

            s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_DGRAM)
            s.connect(SOCK_PATH)
            state.sock = s
        if fds:
            import _socket

            state.sock.sendmsg([data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
        else:
            state.sock.send(data)
        return True
    except OSError:
        state.broken = True
        return False


def is_active():
    """True while events can reach forklore."""
    return bool(SOCK_PATH) and not STATE.broken


def forklore_gone():
    """forklore removes the run's private folder when it ends."""
    return not os.path.exists(SOCK_PATH)


def real_sleep(seconds):
    """time.sleep as Python made it (the shim may wrap the module's)."""
    return _real_sleep(seconds)


_real_sleep = time.sleep
