//! Recordings: every event of a run, in arrival order, one JSON line each.
//! The first line is the run's `hello`.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::protocol::{decode, encode, Body, Event, ReplayMeta};

pub struct Recorder {
    out: BufWriter<File>,
    path: PathBuf,
    meta: ReplayMeta,
}

impl Recorder {
    pub fn create(path: &Path) -> io::Result<Self> {
        Self::with_meta(path, ReplayMeta::default())
    }

    /// A recorder that adds `meta` to the run's `hello` (the first line).
    pub fn with_meta(path: &Path, meta: ReplayMeta) -> io::Result<Self> {
        let file = File::create(path)?;
        Ok(Recorder {
            out: BufWriter::new(file),
            path: path.to_path_buf(),
            meta,
        })
    }

    /// Start the file over for a new run (a restart), same metadata.
    pub fn reopen(self) -> io::Result<Self> {
        Self::with_meta(&self.path, self.meta)
    }

    pub fn meta_mut(&mut self) -> &mut ReplayMeta {
        &mut self.meta
    }

    pub fn write(&mut self, event: &Event) -> io::Result<()> {
        match &event.body {
            Body::Hello { replay: None, .. } => {
                let mut hello = event.clone();
                if let Body::Hello { replay, .. } = &mut hello.body {
                    *replay = Some(Box::new(self.meta.clone()));
                }
                self.write_line(&hello)
            }
            _ => self.write_line(event),
        }
    }

    fn write_line(&mut self, event: &Event) -> io::Result<()> {
        self.out.write_all(encode(event).as_bytes())?;
        self.out.write_all(b"\n")
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A recording that could not be read, with the line at fault.
#[derive(Debug)]
pub struct ReadError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
        }
    }
}

/// Read a whole recording into memory; the first bad line is an error
/// naming it.
pub fn read(path: &Path) -> Result<Vec<Event>, ReadError> {
    let mut events = Vec::new();
    each(path, |_, event| {
        events.push(event);
        Ok(())
    })?;
    Ok(events)
}

/// Stream a recording: `visit(offset of its line, event)` for each event,
/// in order, holding one at a time (a recording can be hundreds of MB).
/// The first bad line, or the first error `visit` returns, is an error
/// naming the line.
pub fn each(
    path: &Path,
    mut visit: impl FnMut(u64, Event) -> Result<(), String>,
) -> Result<(), ReadError> {
    let err = |line, message: String| ReadError {
        path: path.to_path_buf(),
        line,
        message,
    };
    let file = File::open(path).map_err(|e| err(0, e.to_string()))?;
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    let mut offset = 0u64;
    for number in 1.. {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| err(number, e.to_string()))?;
        if n == 0 {
            return Ok(());
        }
        let start = offset;
        offset += n as u64;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let event = decode(&line).map_err(|e| err(number, e.to_string()))?;
        visit(start, event).map_err(|e| err(number, e))?;
    }
    Ok(())
}

/// A recording's first event (its `hello`, in a good one).
pub fn first(path: &Path) -> Result<Event, ReadError> {
    let mut first = None;
    let stop = "first event read";
    let result = each(path, |_, event| {
        first = Some(event);
        Err(stop.to_string())
    });
    match (first, result) {
        (Some(event), _) => Ok(event),
        (None, Err(e)) => Err(e),
        (None, Ok(())) => Err(ReadError {
            path: path.to_path_buf(),
            line: 1,
            message: "the recording is empty".to_string(),
        }),
    }
}

/// The event of a recording's line at `offset` (found by [`each`]).
pub fn read_at(reader: &mut BufReader<File>, offset: u64) -> Option<Event> {
    use std::io::{Seek, SeekFrom};
    if reader.stream_position().ok()? != offset {
        reader.seek(SeekFrom::Start(offset)).ok()?;
    }
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line).ok()?;
    decode(&line).ok()
}
