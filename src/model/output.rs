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
    /// Writes that carried text (a `print` of four values is eight).
    pub writes: u64,
}

impl Output {
    pub fn write(&mut self, pid: i32, fd: u8, text: &str) {
        self.bytes += text.len() as u64;
        self.writes += u64::from(!text.is_empty());
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
