//! A recording as a feed: its events, its metadata, a position in it and
//! where its narration beats fall. Pure apart from reading the file: no
//! clock, no terminal. A [`crate::session::Session`] folds the events it
//! hands out.
//!
//! A recording opened from a file stays there: only each event's place in
//! the file and its time are kept in memory (16 bytes an event), so a
//! recording of hundreds of MB replays in a few MB.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::lesson::manifest::Beat;
use crate::lesson::Narration;
use crate::protocol::{Body, Event, ReplayMeta};
use crate::record::{self, ReadError};

pub struct Replay {
    source: Source,
    pub meta: ReplayMeta,
    pub beats: Vec<Beat>,
    /// Each event's recorded time.
    times: Vec<u64>,
    marks: Vec<usize>,
    pos: usize,
}

enum Source {
    Memory(Vec<Event>),
    /// Each event's line offset in the file.
    File {
        reader: BufReader<File>,
        offsets: Vec<u64>,
    },
}

impl Replay {
    /// A recording already in memory (the bundled ones, tests).
    pub fn new(events: Vec<Event>, beats: Vec<Beat>) -> Self {
        let mut index = Index::new(&beats);
        for e in &events {
            index.add(e);
        }
        index.into_replay(Source::Memory(events), beats)
    }

    /// A recording file, read once to check every line and index it.
    pub fn open(path: &Path, beats: Vec<Beat>) -> Result<Self, ReadError> {
        let mut index = Index::new(&beats);
        let mut offsets = Vec::new();
        record::each(path, |offset, event| {
            index.add(&event);
            offsets.push(offset);
            Ok(())
        })?;
        let file = File::open(path).map_err(|e| ReadError {
            path: path.to_path_buf(),
            line: 0,
            message: e.to_string(),
        })?;
        let reader = BufReader::new(file);
        Ok(index.into_replay(Source::File { reader, offsets }, beats))
    }

    /// Events handed out so far.
    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn len(&self) -> usize {
        self.times.len()
    }

    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.len()
    }

    /// Recorded time of the first event (ns).
    pub fn start_t(&self) -> u64 {
        self.times.first().copied().unwrap_or(0)
    }

    /// Recorded time of the event at `i` (the last one past the end).
    pub fn t_at(&self, i: usize) -> u64 {
        self.times
            .get(i)
            .or(self.times.last())
            .copied()
            .unwrap_or(0)
    }

    /// The next event, moving past it.
    pub fn next_event(&mut self) -> Option<Event> {
        let event = match &mut self.source {
            Source::Memory(events) => events.get(self.pos).cloned(),
            Source::File { reader, offsets } => record::read_at(reader, *offsets.get(self.pos)?),
        }?;
        self.pos += 1;
        Some(event)
    }

    /// Back to the start (the session folds again from nothing).
    pub fn rewind(&mut self) {
        self.pos = 0;
    }

    /// Positions (events applied) at which a narration beat is reached.
    pub fn beat_marks(&self) -> &[usize] {
        &self.marks
    }

    /// The next position where a beat is reached, if any.
    pub fn next_beat(&self) -> Option<usize> {
        self.marks.iter().copied().find(|m| *m > self.pos)
    }

    /// The last position before the current one where a beat was reached.
    pub fn prev_beat(&self) -> usize {
        self.marks
            .iter()
            .copied()
            .rev()
            .find(|m| *m < self.pos)
            .unwrap_or(0)
    }
}

/// What one pass over the events learns: the metadata, each event's time
/// and where each beat is reached (narrating the whole recording once).
struct Index {
    meta: Option<ReplayMeta>,
    times: Vec<u64>,
    probe: Narration,
    reached: usize,
    marks: Vec<usize>,
}

impl Index {
    fn new(beats: &[Beat]) -> Self {
        let probe = Narration::new(beats.to_vec());
        Index {
            meta: None,
            times: Vec::new(),
            reached: probe.reached(),
            probe,
            marks: Vec::new(),
        }
    }

    fn add(&mut self, event: &Event) {
        if let Body::Hello {
            replay: Some(meta), ..
        } = &event.body
        {
            self.meta.get_or_insert_with(|| (**meta).clone());
        }
        self.times.push(event.t);
        self.probe.observe(event);
        if self.probe.reached() > self.reached {
            self.reached = self.probe.reached();
            self.marks.push(self.times.len());
        }
    }

    fn into_replay(self, source: Source, beats: Vec<Beat>) -> Replay {
        Replay {
            source,
            meta: self.meta.unwrap_or_default(),
            beats,
            times: self.times,
            marks: self.marks,
            pos: 0,
        }
    }
}
