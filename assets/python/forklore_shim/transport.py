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
    192   u64  go: forklore's word back to this process (the reply path the
               scheduler mode will use; unused yet)
    4096  data: capacity bytes of records; a record is a u32 length and the
          event's JSON, never split at the end: a length of 0xFFFFFFFF, or
          fewer than 4 bytes left, means "go on at the start".

A record is written first and the write word last, so forklore never reads
a half-written event (x86-64 keeps stores in order). The shared words are
stored through a memoryview of 8-byte items, one store each: struct's
`pack_into` zero-fills its target before writing it, so forklore could read
a write word of 0 in passing. A full ring makes the
writer wait for forklore (back-pressure): nothing is dropped.
"""

import mmap
import os
from _struct import pack, pack_into
from _thread import RLock

from . import core

CAPACITY = 256 * 1024  # a power of two
MASK = CAPACITY - 1
DATA = 4096
MAGIC = 0x31524B46  # "FKR1"
WRAP = b"\xff\xff\xff\xff"
# Larger events go by datagram: a ring must hold several of them.
MAX_RECORD = CAPACITY // 8


# Indexes of the shared words in the header as 8-byte items.
WRITE_WORD = 0
READ_WORD = 64 // 8


class Ring:
    __slots__ = ("mm", "words", "w", "r", "lock", "busy")

    def __init__(self, mm):
        self.mm = mm
        self.words = memoryview(mm)[:DATA].cast("Q")
        self.w = 0  # our copy of the write word
        self.r = 0  # the read word as last seen: re-read only when full
        self.lock = RLock()  # threads of this process share the ring
        self.busy = False  # a write is under way in this thread

    def put(self, data):
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
            w = self.w
            off = w & MASK
            pad = CAPACITY - off if off + need > CAPACITY else 0
            if w + pad + need - self.r > CAPACITY and not self.room(w + pad + need):
                return False
            mm = self.mm
            if pad:
                if pad >= 4:
                    mm[DATA + off : DATA + off + 4] = WRAP
                w += pad
                off = 0
            mm[DATA + off : DATA + off + need] = pack("<I", need - 4) + data
            w += need
            self.words[WRITE_WORD] = w
            self.w = w
            return True
        finally:
            self.busy = False
            lock.release()

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
