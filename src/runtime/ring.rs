//! One process's shared-memory ring (the shim's `transport.py` writes it):
//! mapped from the sealed memfd the process passed over the socket, read
//! without a system call. Its layout is described in `transport.py`.
//!
//! The memory is the process's to write, so nothing in it is trusted: a
//! write word that runs backwards or further than the ring holds, or a
//! record that does not fit, makes the ring unreadable from then on (its
//! process's later events are lost and counted as malformed), never a
//! panic. The memfd is sealed against shrinking, so reading it cannot fault.

use std::num::NonZeroUsize;
use std::os::fd::{AsFd, OwnedFd};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

use nix::fcntl::{fcntl, FcntlArg, SealFlag};
use nix::sys::mman::{mmap, munmap, MapFlags, ProtFlags};
use nix::sys::stat::fstat;

const WRITE: usize = 0;
const READ: usize = 64;
const MAGIC_AT: usize = 128;
/// 0, or no later than the time of any event the process stamped and has
/// not committed yet (`transport.Ring.hold`).
const HOLD: usize = 192;
const DATA: usize = 4096;
const MAGIC: u32 = 0x3152_4B46;
const WRAP: u32 = u32::MAX;
/// A record's first word: these bits mark a template or a compact event
/// (else it is the length of an event's JSON).
const TEMPLATE: u32 = 0x4000_0000;
const COMPACT: u32 = 0x8000_0000;
/// A compact event: its word, the time and the value.
const COMPACT_SIZE: usize = 20;
/// A compact event's value that means null.
const NULL: i64 = i64::MIN;
/// The largest ring accepted (the shim makes 256 KiB ones).
const MAX_CAPACITY: usize = 4 << 20;

#[derive(Debug)]
pub enum RingError {
    /// Not a sealed memfd of the right size and magic.
    Refused(&'static str),
    Os(nix::Error),
}

impl std::fmt::Display for RingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RingError::Refused(why) => write!(f, "ring refused: {why}"),
            RingError::Os(e) => write!(f, "ring: {e}"),
        }
    }
}

impl From<nix::Error> for RingError {
    fn from(e: nix::Error) -> Self {
        RingError::Os(e)
    }
}

pub struct Ring {
    base: NonNull<u8>,
    len: usize,
    capacity: usize,
    /// Bytes consumed, as last published to the writer.
    read: u64,
    /// Set once the writer broke the format: nothing more is read.
    broken: bool,
    /// How many bytes the last drain found waiting.
    backlog: u64,
}

// The mapping is plain shared memory; only this thread reads it.
unsafe impl Send for Ring {}

impl Ring {
    /// Map the ring behind `fd` (a memfd the process sent).
    pub fn map(fd: OwnedFd) -> Result<Ring, RingError> {
        let seals = SealFlag::from_bits_truncate(fcntl(fd.as_fd(), FcntlArg::F_GET_SEALS)?);
        if !seals.contains(SealFlag::F_SEAL_SHRINK) {
            return Err(RingError::Refused("not sealed against shrinking"));
        }
        let len = usize::try_from(fstat(fd.as_fd())?.st_size).unwrap_or(0);
        let capacity = len.saturating_sub(DATA);
        if !capacity.is_power_of_two() || !(4096..=MAX_CAPACITY).contains(&capacity) {
            return Err(RingError::Refused("wrong size"));
        }
        let size = NonZeroUsize::new(len).ok_or(RingError::Refused("empty"))?;
        let prot = ProtFlags::PROT_READ | ProtFlags::PROT_WRITE;
        // SAFETY: a fresh shared mapping of a sealed file of `len` bytes;
        // it is unmapped only on drop.
        let base = unsafe { mmap(None, size, prot, MapFlags::MAP_SHARED, fd, 0)? };
        let mut ring = Ring {
            base: base.cast(),
            len,
            capacity,
            read: 0,
            broken: false,
            backlog: 0,
        };
        let magic = ring.u32_at(MAGIC_AT);
        let declared = ring.u32_at(MAGIC_AT + 4) as usize;
        if magic != MAGIC || declared != capacity {
            return Err(RingError::Refused("wrong magic"));
        }
        // Records may be there already: written since the announcement.
        ring.read = ring.word(READ).load(Ordering::Acquire);
        Ok(ring)
    }

    /// The shared word at `offset` (8-aligned, inside the header).
    fn word(&self, offset: usize) -> &AtomicU64 {
        debug_assert!(offset.is_multiple_of(8) && offset + 8 <= DATA);
        // SAFETY: inside the mapping, aligned (the mapping is page-aligned),
        // and only ever accessed as atomics by this side.
        unsafe { &*self.base.as_ptr().add(offset).cast::<AtomicU64>() }
    }

    fn u32_at(&self, offset: usize) -> u32 {
        let mut b = [0u8; 4];
        self.copy(offset, &mut b);
        u32::from_le_bytes(b)
    }

    /// Copy `out.len()` bytes at `offset` of the mapping (the writer may
    /// change them meanwhile: a copy is what a reader can trust to stay).
    fn copy(&self, offset: usize, out: &mut [u8]) {
        assert!(offset + out.len() <= self.len);
        // SAFETY: in bounds (checked above); volatile-free byte copy of
        // shared memory that the writer no longer touches (committed).
        unsafe {
            std::ptr::copy_nonoverlapping(
                self.base.as_ptr().add(offset),
                out.as_mut_ptr(),
                out.len(),
            )
        };
    }

    /// The time before which the process may still commit events it
    /// stamped earlier; None when it holds nothing back. Read it before
    /// draining: see `Collector::drain`.
    pub fn hold(&self) -> Option<u64> {
        match self.word(HOLD).load(Ordering::Acquire) {
            0 => None,
            t => Some(t),
        }
    }

    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// The last drain found the ring a quarter full or more: its writer
    /// is busy and would soon wait for room, so read again without a pause.
    pub fn was_busy(&self) -> bool {
        self.backlog >= self.capacity as u64 / 4
    }

    /// Give `each` every record committed since the last call, oldest
    /// first, then tell the writer the room is free. Returns how many.
    /// (Each record's bytes are copied into one buffer reused for the next.)
    pub fn drain(&mut self, mut each: impl FnMut(Record<'_>)) -> usize {
        if self.broken {
            return 0;
        }
        let write = self.word(WRITE).load(Ordering::Acquire);
        if write < self.read || write - self.read > self.capacity as u64 {
            self.broken = true;
            return 0;
        }
        self.backlog = write - self.read;
        let mut count = 0;
        let mut bytes = Vec::new();
        while self.read < write {
            match self.next(write) {
                Next::Bytes { at, len, template } => {
                    bytes.resize(len, 0);
                    self.copy(at, &mut bytes);
                    each(match template {
                        true => Record::Template(&bytes),
                        false => Record::Json(&bytes),
                    });
                    count += 1;
                }
                Next::Compact { at, template } => {
                    let mut b = [0u8; 16];
                    self.copy(at, &mut b);
                    let (t, value) = b.split_at(8);
                    let t = u64::from_le_bytes(t.try_into().unwrap_or_default());
                    let value = i64::from_le_bytes(value.try_into().unwrap_or_default());
                    each(Record::Compact {
                        template,
                        t,
                        value: (value != NULL).then_some(value),
                    });
                    count += 1;
                }
                Next::Wrapped => {}
                Next::Broken => {
                    self.broken = true;
                    break;
                }
            }
        }
        self.word(READ).store(self.read, Ordering::Release);
        count
    }

    /// What is at the read position: a record, a wrap to the start, or a
    /// format the writer broke.
    fn next(&mut self, write: u64) -> Next {
        let off = (self.read % self.capacity as u64) as usize;
        let left = self.capacity - off;
        let word = if left < 4 {
            WRAP
        } else {
            self.u32_at(DATA + off)
        };
        if word == WRAP {
            self.read += left as u64;
            // The writer commits a wrap together with the record after it.
            return if self.read < write {
                Next::Wrapped
            } else {
                Next::Broken
            };
        }
        let size = match word {
            w if w & COMPACT != 0 => COMPACT_SIZE,
            w => (w & !TEMPLATE) as usize + 4,
        };
        let end = self.read + size as u64;
        if size > left || end > write {
            return Next::Broken;
        }
        self.read = end;
        let at = DATA + off + 4;
        match word {
            w if w & COMPACT != 0 => Next::Compact {
                at,
                template: w & !COMPACT,
            },
            w => Next::Bytes {
                at,
                len: size - 4,
                template: w & TEMPLATE != 0,
            },
        }
    }
}

/// One record of a ring.
#[derive(Debug, PartialEq, Eq)]
pub enum Record<'a> {
    /// An event's JSON.
    Json(&'a [u8]),
    /// The ring's next template: an event's JSON up to its last value.
    Template(&'a [u8]),
    /// An event made from a template defined before, with its time and value.
    Compact {
        template: u32,
        t: u64,
        value: Option<i64>,
    },
}

enum Next {
    /// `len` bytes at `at` in the mapping: an event's JSON or a template.
    Bytes {
        at: usize,
        len: usize,
        template: bool,
    },
    /// A compact event's time and value at `at`.
    Compact {
        at: usize,
        template: u32,
    },
    Wrapped,
    Broken,
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `map`, unmapped once.
        unsafe {
            let _ = munmap(self.base.cast(), self.len);
        }
    }
}

#[cfg(test)]
#[path = "ring_tests.rs"]
mod tests;
