//! The ring's records, written here as the shim's `transport.py` writes
//! them: events' JSON, templates, compact events and wraps; and what a
//! writer that breaks the format gets (an unreadable ring, no panic).

use super::*;
use nix::sys::memfd::{memfd_create, MFdFlags};

const CAPACITY: usize = 4096;

/// A sealed memfd laid out as a ring of CAPACITY bytes, and a writer.
struct Writer {
    file: std::fs::File,
    w: u64,
}

impl Writer {
    fn new() -> (Writer, OwnedFd) {
        let fd = memfd_create("ring-test", MFdFlags::MFD_ALLOW_SEALING).unwrap();
        let file = std::fs::File::from(fd.try_clone().unwrap());
        file.set_len((DATA + CAPACITY) as u64).unwrap();
        let seals = SealFlag::F_SEAL_SHRINK | SealFlag::F_SEAL_GROW;
        fcntl(fd.as_fd(), FcntlArg::F_ADD_SEALS(seals)).unwrap();
        let mut writer = Writer { file, w: 0 };
        writer.at(MAGIC_AT, &MAGIC.to_le_bytes());
        writer.at(MAGIC_AT + 4, &(CAPACITY as u32).to_le_bytes());
        (writer, fd)
    }

    fn at(&mut self, offset: usize, bytes: &[u8]) {
        use std::os::unix::fs::FileExt;
        self.file.write_all_at(bytes, offset as u64).unwrap();
    }

    /// One record: its first word, then `rest`; wraps first if needed.
    fn record(&mut self, word: u32, rest: &[u8]) {
        let need = 4 + rest.len();
        let off = self.w as usize % CAPACITY;
        if off + need > CAPACITY {
            if CAPACITY - off >= 4 {
                self.at(DATA + off, &WRAP.to_le_bytes());
            }
            self.w += (CAPACITY - off) as u64;
        }
        let off = self.w as usize % CAPACITY;
        self.at(DATA + off, &word.to_le_bytes());
        self.at(DATA + off + 4, rest);
        self.w += need as u64;
    }

    fn json(&mut self, text: &str) {
        self.record(text.len() as u32, text.as_bytes());
    }

    fn compact(&mut self, n: u32, t: u64, value: i64) {
        let mut rest = t.to_le_bytes().to_vec();
        rest.extend_from_slice(&value.to_le_bytes());
        self.record(COMPACT | n, &rest);
    }

    fn commit(&mut self) {
        let w = self.w;
        self.at(WRITE, &w.to_le_bytes());
    }
}

fn records(ring: &mut Ring) -> Vec<String> {
    let mut out = Vec::new();
    ring.drain(|r| {
        out.push(match r {
            Record::Json(b) => format!("json {}", String::from_utf8_lossy(b)),
            Record::Template(b) => format!("template {}", String::from_utf8_lossy(b)),
            Record::Compact { template, t, value } => format!("compact {template} {t} {value:?}"),
        })
    });
    out
}

#[test]
fn every_kind_of_record_comes_back_in_order_across_wraps() {
    let (mut w, fd) = Writer::new();
    let mut ring = Ring::map(fd).unwrap();
    let head = r#"{"kind":"sync","value":"#;
    w.record(TEMPLATE | head.len() as u32, head.as_bytes());
    w.json(r#"{"kind":"line"}"#);
    w.compact(0, 7, -3);
    w.compact(0, 8, NULL);
    w.commit();
    assert_eq!(
        records(&mut ring),
        [
            format!("template {head}"),
            r#"json {"kind":"line"}"#.to_string(),
            "compact 0 7 Some(-3)".to_string(),
            "compact 0 8 None".to_string(),
        ]
    );
    // Round and round: compact records across the end of the ring.
    for round in 0..3 * CAPACITY as u64 / 20 {
        w.compact(0, round, round as i64);
        if round % 50 == 49 {
            w.commit();
            let got = records(&mut ring);
            assert_eq!(got.len(), 50, "round {round}: {got:?}");
            assert_eq!(got[49], format!("compact 0 {round} Some({round})"));
        }
    }
    assert!(!ring.is_broken());
}

#[test]
fn a_hold_is_read_and_a_broken_record_makes_the_ring_unreadable() {
    let (mut w, fd) = Writer::new();
    let mut ring = Ring::map(fd).unwrap();
    assert_eq!(ring.hold(), None);
    w.at(HOLD, &1234u64.to_le_bytes());
    assert_eq!(ring.hold(), Some(1234));
    // A compact record claimed, but only half of it committed.
    w.record(COMPACT | 1, &[0; 4]);
    w.commit();
    assert!(records(&mut ring).is_empty());
    assert!(ring.is_broken());
}
