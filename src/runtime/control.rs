//! The run's control file: what forklore tells every process of a run it
//! can hold. Each process maps it read-only (the shim's `clock.py`, which
//! documents the same layout from its side). It exists only for runs that
//! can be held (`RunConfig::step` is Some: the live screen, schedules,
//! explore): elsewhere the shim maps nothing and pays nothing.
//!
//! | bytes  | what |
//! |--------|------|
//! | 0      | step mode on (1) or off (0) |
//! | 8..16  | `seq`: odd while forklore writes the clock (a seqlock) |
//! | 16..24 | `frozen_total_ns`: the time of the holds that have ended |
//! | 24..32 | `frozen_since_ns`: CLOCK_MONOTONIC when the hold going on began; 0 while the run runs |
//!
//! [`SIZE`] bytes in all, the rest zero; integers little-endian u64.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::clock::RunClock;

/// The file's size: room to grow without changing where anything is.
pub const SIZE: usize = 64;
const STEP_AT: u64 = 0;
const SEQ_AT: u64 = 8;
const CLOCK_AT: u64 = 16;

/// The control file of one run (only forklore writes it).
pub struct Control {
    file: File,
    path: PathBuf,
    seq: u64,
}

impl Control {
    /// Make the control file in `dir`: step mode `stepping`, the run's
    /// time not held.
    pub fn create(dir: &Path, stepping: bool) -> io::Result<Control> {
        let path = dir.join("control");
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        let mut bytes = [0u8; SIZE];
        bytes[STEP_AT as usize] = u8::from(stepping);
        file.write_all_at(&bytes, 0)?;
        Ok(Control { file, path, seq: 0 })
    }

    /// Where it is (the shim's FORKLORE_CONTROL).
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn set_stepping(&self, on: bool) -> io::Result<()> {
        self.file.write_all_at(&[u8::from(on)], STEP_AT)
    }

    /// Write the run's clock. A reader that overlaps the write sees `seq`
    /// odd, or changed when it reads it again, and reads once more.
    pub fn set_clock(&mut self, clock: &RunClock) -> io::Result<()> {
        self.write_seq(self.seq + 1)?;
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&clock.frozen_total().to_le_bytes());
        bytes[8..].copy_from_slice(&clock.frozen_since().to_le_bytes());
        let written = self.file.write_all_at(&bytes, CLOCK_AT);
        // Even again whatever happened: a reader must never spin for good.
        self.write_seq(self.seq + 1)?;
        written
    }

    fn write_seq(&mut self, seq: u64) -> io::Result<()> {
        self.seq = seq;
        self.file.write_all_at(&seq.to_le_bytes(), SEQ_AT)
    }
}

#[cfg(test)]
mod tests {
    use super::super::clock::Hold;
    use super::*;

    fn u64_at(bytes: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
    }

    #[test]
    fn the_layout_the_shim_reads() {
        let dir = tempfile::tempdir().unwrap();
        let mut control = Control::create(dir.path(), true).unwrap();
        let bytes = std::fs::read(control.path()).unwrap();
        assert_eq!(bytes.len(), SIZE);
        assert_eq!(bytes[0], 1, "step mode on from the start");
        assert!(bytes[1..].iter().all(|b| *b == 0));

        let mut clock = RunClock::default();
        clock.set(Hold::Paused, true, 7_000);
        control.set_clock(&clock).unwrap();
        control.set_stepping(false).unwrap();
        let bytes = std::fs::read(control.path()).unwrap();
        assert_eq!(bytes[0], 0);
        assert_eq!(u64_at(&bytes, 8), 2, "seq: even after a write");
        assert_eq!((u64_at(&bytes, 16), u64_at(&bytes, 24)), (0, 7_000));

        clock.set(Hold::Paused, false, 10_000);
        control.set_clock(&clock).unwrap();
        let bytes = std::fs::read(control.path()).unwrap();
        assert_eq!(u64_at(&bytes, 8), 4);
        assert_eq!((u64_at(&bytes, 16), u64_at(&bytes, 24)), (3_000, 0));
        assert_eq!(bytes.len(), SIZE);
    }
}
