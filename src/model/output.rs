//! The run's output as lines of fragments, each fragment tagged with the PID
//! that wrote it. A line holding text from more than one PID is garbled.

use std::collections::VecDeque;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fragment {
    pub pid: i32,
    pub fd: u8,
    pub text: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    pub fragments: Vec<Fragment>,
}

impl Line {
    /// Distinct PIDs whose text (not just a newline) is in this line.
    pub fn writers(&self) -> Vec<i32> {
        let mut pids: Vec<i32> = Vec::new();
        for f in self.fragments.iter().filter(|f| !f.text.is_empty()) {
            if !pids.contains(&f.pid) {
                pids.push(f.pid);
            }
        }
        pids
    }

    pub fn is_garbled(&self) -> bool {
        self.writers().len() > 1
    }

    pub fn text(&self) -> String {
        self.fragments.iter().map(|f| f.text.as_str()).collect()
    }

    fn len(&self) -> usize {
        self.fragments.iter().map(|f| f.text.len()).sum()
    }
}

const MAX_LINES: usize = 2000;
const MAX_LINE_BYTES: usize = 4096;

#[derive(Clone, Debug, Default)]
pub struct Output {
    /// Finished lines, oldest first (bounded).
    pub lines: VecDeque<Line>,
    /// The line being written now.
    pub current: Line,
    pub total_lines: u64,
    pub garbled_lines: u64,
    pub bytes: u64,
    /// Per writer (pid, fd): the start of a character whose rest comes
    /// with its next write.
    split: Vec<((i32, u8), Vec<u8>)>,
    /// Writes that carried text (a `print` of four values is eight).
    pub writes: u64,
}

/// Writers whose split characters are remembered at most.
const MAX_SPLIT: usize = 64;

impl Output {
    /// `bytes` written by `pid` to `fd`, shown as text: UTF-8, with a
    /// character split across two writes put back together, anything
    /// invalid shown as U+FFFD.
    pub fn write_bytes(&mut self, pid: i32, fd: u8, bytes: &[u8]) {
        self.bytes += bytes.len() as u64;
        self.writes += u64::from(!bytes.is_empty());
        let mut joined = match self.split.iter().position(|(w, _)| *w == (pid, fd)) {
            Some(i) => self.split.swap_remove(i).1,
            None => Vec::new(),
        };
        joined.extend_from_slice(bytes);
        let whole = complete_prefix(&joined);
        if whole < joined.len() && self.split.len() < MAX_SPLIT {
            self.split.push(((pid, fd), joined[whole..].to_vec()));
            joined.truncate(whole);
        }
        self.write_text(pid, fd, &String::from_utf8_lossy(&joined));
    }

    /// Text written by `pid` to `fd` (already decoded).
    pub fn write(&mut self, pid: i32, fd: u8, text: &str) {
        self.bytes += text.len() as u64;
        self.writes += u64::from(!text.is_empty());
        self.write_text(pid, fd, text);
    }

    fn write_text(&mut self, pid: i32, fd: u8, text: &str) {
        let mut parts = text.split('\n').peekable();
        while let Some(part) = parts.next() {
            let ends_line = parts.peek().is_some();
            self.append(pid, fd, part);
            if ends_line {
                self.finish_line();
            }
        }
    }

    fn append(&mut self, pid: i32, fd: u8, part: &str) {
        if part.is_empty() {
            return;
        }
        let room = MAX_LINE_BYTES.saturating_sub(self.current.len());
        let part = cut_at_char_boundary(part, room);
        if part.is_empty() {
            return;
        }
        match self.current.fragments.last_mut() {
            Some(last) if last.pid == pid && last.fd == fd => last.text.push_str(part),
            _ => self.current.fragments.push(Fragment {
                pid,
                fd,
                text: part.to_string(),
            }),
        }
    }

    fn finish_line(&mut self) {
        let line = std::mem::take(&mut self.current);
        self.total_lines += 1;
        if line.is_garbled() {
            self.garbled_lines += 1;
        }
        if self.lines.len() == MAX_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }

    /// End of run: a last line without a newline still counts.
    pub fn flush_partial(&mut self) {
        if !self.current.fragments.is_empty() {
            self.finish_line();
        }
    }

    /// All text written so far that is still held, in order.
    pub fn text(&self) -> String {
        let mut s: String = self.lines.iter().map(|l| l.text() + "\n").collect();
        s.push_str(&self.current.text());
        s
    }
}

/// Length of the longest prefix that does not end inside a UTF-8
/// character (an invalid byte counts as complete: it is shown as U+FFFD).
fn complete_prefix(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => {
            // An invalid byte inside: only a tail of at most 3 bytes that
            // starts a character can be waiting for its rest.
            let tail = bytes.len().saturating_sub(3);
            (tail..bytes.len())
                .find(|&i| {
                    std::str::from_utf8(&bytes[i..])
                        .is_err_and(|e| e.valid_up_to() == 0 && e.error_len().is_none())
                })
                .unwrap_or(bytes.len())
        }
    }
}

fn cut_at_char_boundary(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}
