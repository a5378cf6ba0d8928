"""A process's own shared-memory ring to forklore: each event is copied
into memory forklore also maps, with no system call, and forklore drains
every ring in batches.

The ring is a sealed memfd (it cannot shrink under forklore's reader),
passed to forklore over the run's socket, so only a process forklore has
checked by its kernel credentials can give it one. Layout, little-endian,
shared with `src/runtime/ring.rs`:

    0     u64  write: bytes this process has committed (grows, never wraps)
    64    u64  read: bytes forklore has consumed (written by forklore)
    128   u32  magic "FKR1", u32 capacity
    192   u64  hold: 0, or a time no later than that of any event this
               process has stamped but not yet committed (see `hold`)
    4096  data: capacity bytes of records, each never split at the end
          (a word of 0xFFFFFFFF, or fewer than 4 bytes left, means "go on
          at the start"). A record starts with a u32 word:

          word < 0x40000000   an event's JSON of `word` bytes follows.
          0x40000000 | L      a template: L bytes follow, an event's JSON
                              up to the value of its last field (`...,
                              "value":`). Templates are numbered 0, 1, 2...
                              in the order this ring defines them.
          0x80000000 | n      a compact event of template n: i64 time (ns),
                              i64 value (-2**63: null). It means the
                              template's text, the value, then this
                              process's pid and the time.

Compact events are the hot paths' (a lock in a loop, a shared Value's
reads and writes): packing two integers costs a fraction of formatting
JSON, and forklore decodes each template once, not every event.

A record is written first and the write word last, so forklore never reads
a half-written event (x86-64 keeps stores in order). The shared words are
stored through a memoryview of 8-byte items, one store each: struct's
`pack_into` zero-fills its target before writing it, so forklore could read
a write word of 0 in passing. A full ring makes the
writer wait for forklore (back-pressure): nothing is dropped.
"""

import mmap
import os
from _struct import Struct, pack, pack_into
from _thread import RLock

from . import core

_now = core._now

CAPACITY = 256 * 1024  # a power of two
MASK = CAPACITY - 1
DATA = 4096
MAGIC = 0x31524B46  # "FKR1"
WRAP = b"\xff\xff\xff\xff"
# Larger events go by datagram: a ring must hold several of them.
MAX_RECORD = CAPACITY // 8

TEMPLATE = 0x40000000
COMPACT = 0x80000000
COMPACT_SIZE = 20  # the word, the time, the value
MAX_TEMPLATES = 4096  # per ring (forklore refuses more)
NULL = -(1 << 63)
I64_MAX = (1 << 63) - 1
_pack_compact = Struct("<Iqq").pack_into  # the word, the time, the value


# Indexes of the shared words in the header as 8-byte items.
WRITE_WORD = 0
READ_WORD = 64 // 8
HOLD_WORD = 192 // 8


class Ring:
    __slots__ = ("mm", "words", "w", "r", "lock", "busy", "templates", "holds")

    def __init__(self, mm):
        self.mm = mm
        self.words = memoryview(mm)[:DATA].cast("Q")
        self.w = 0  # our copy of the write word
        self.r = 0  # the read word as last seen: re-read only when full
        self.lock = RLock()  # threads of this process share the ring
        self.busy = False  # a write is under way in this thread
        self.templates = {}  # template bytes -> its compact records' first word
        self.holds = 0  # events stamped and not yet committed (threads)

    def put(self, data):
        """One event's JSON. False once forklore is gone."""
        need = len(data) + 4
        if need > MAX_RECORD:
            return core.datagram(data)
        lock = self.lock
        lock.acquire()
        if self.busy:
            # A signal handler's event in the middle of a write: never
            # interleave two records.
            lock.release()
            return core.datagram(data)
        self.busy = True
        try:
            off = self._reserve(need)
            if off is None:
                return False
            at = DATA + off
            pack_into("<I", self.mm, at, need - 4)
            self.mm[at + 4 : at + need] = data  # no concatenated copy
            return self._commit(need)
        finally:
            self.busy = False
            lock.release()

    def put_compact(self, template, value, t=None):
        """An event as `template` (bytes: its JSON up to a last integer
        value) with `value` (an int that fits 64 bits, or None) at time `t`
        (default: now). None when it cannot go compact (another value, a
        signal handler interrupted a write, or the ring holds its most
        templates): send it as JSON then."""
        if value is None:
            value = NULL
        elif type(value) is not int or not NULL < value <= I64_MAX:
            return None
        lock = self.lock
        lock.acquire()
        if self.busy:
            lock.release()
            return None
        self.busy = True
        try:
            word = self.templates.get(template)
            if word is None:
                word = self._define(template)
                if word is None:
                    return None
            # The common case inline, this being the hottest path: room
            # left, and no wrap (else `_reserve` waits or wraps).
            w = self.w
            off = w & MASK
            if off + COMPACT_SIZE > CAPACITY or w + COMPACT_SIZE - self.r > CAPACITY:
                off = self._reserve(COMPACT_SIZE)
                if off is None:
                    return False
            _pack_compact(self.mm, DATA + off, word, _now() if t is None else t, value)
            w = self.w + COMPACT_SIZE
            self.words[WRITE_WORD] = w
            self.w = w
            return True
        finally:
            self.busy = False
            lock.release()

    def hold(self):
        """For an event committed AFTER its operation (stamped before it:
        the moment the operation took effect): the time to stamp it with.
        Until `unhold`, forklore releases no event made at or after the
        hold word, so this one, committed late, still comes in time order.

        The word is stored before the stamp is read: if forklore read the
        word before it was stored, its pass began before the stamp, and
        it never releases an event made after its pass began anyway."""
        lock = self.lock
        lock.acquire()
        if not self.holds:
            self.words[HOLD_WORD] = _now()
        self.holds += 1
        lock.release()
        return _now()

    def unhold(self):
        """The held event was committed (or given up)."""
        lock = self.lock
        lock.acquire()
        self.holds -= 1
        if not self.holds:
            self.words[HOLD_WORD] = 0
        lock.release()

    def _define(self, template):
        """Write `template` as this ring's next one (the lock is held)."""
        n = len(self.templates)
        need = len(template) + 4
        if n >= MAX_TEMPLATES or need > MAX_RECORD:
            return None
        off = self._reserve(need)
        if off is None:
            return None
        self.mm[DATA + off : DATA + off + need] = pack("<I", TEMPLATE | (need - 4)) + template
        self._commit(need)
        word = self.templates[template] = COMPACT | n
        return word

    def _reserve(self, need):
        """Where a record of `need` bytes goes, after waiting for room
        (and marking a wrap to the start); None once forklore is gone."""
        w = self.w
        off = w & MASK
        pad = CAPACITY - off if off + need > CAPACITY else 0
        if w + pad + need - self.r > CAPACITY and not self.room(w + pad + need):
            return None
        if pad:
            if pad >= 4:
                self.mm[DATA + off : DATA + off + 4] = WRAP
            self.w = w + pad
            return 0
        return off

    def _commit(self, need):
        """Publish the record just written (the write word, stored last)."""
        w = self.w + need
        self.words[WRITE_WORD] = w
        self.w = w
        return True

    def room(self, until):
        """Wait until forklore has read enough for the ring to hold `until`
        bytes written (back-pressure). False if forklore has gone."""
        delay, waited = 0.0001, 0.0
        while True:
            self.r = self.words[READ_WORD]
            if until - self.r <= CAPACITY:
                return True
            core.real_sleep(delay)
            waited += delay
            delay = min(delay * 2, 0.005)
            if waited > 1.0:
                waited = 0.0
                if core.forklore_gone():
                    # Nobody reads any more: later events go nowhere, at once.
                    core.STATE.broken = True
                    core.STATE.ring = None
                    return False


def open_ring(state, datagram):
    """This process's ring, announced to forklore; None where memfds or
    seals are missing (events then keep going by datagram)."""
    try:
        import fcntl

        fd = os.memfd_create("forklore-ring", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    except (ImportError, AttributeError, OSError):
        return None
    try:
        os.ftruncate(fd, DATA + CAPACITY)
        seals = fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, seals)
        mm = mmap.mmap(fd, DATA + CAPACITY)
        pack_into("<II", mm, 128, MAGIC, CAPACITY)
        if not datagram(b"ring", pack("i", fd)):
            return None
        return Ring(mm)
    except Exception:  # no ring, whatever the reason: datagrams go on
        return None
    finally:
        os.close(fd)
