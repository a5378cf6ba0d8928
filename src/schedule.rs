//! Schedules: the order in which processes went past their checkpoints,
//! as a small text file a teacher can read and edit (docs/schedules.md).
//!
//! ```text
//! # forklore schedule
//! # who          op      object
//! Process-1      read    'count'
//! Process-2      read    'count'
//! Process-1      write   'count'
//! ```
//!
//! One step per line: the process's stable name (its multiprocessing
//! name, or `proc-N` for the N-th process to appear), the operation,
//! and optionally the object (the rest of the line). A `#` at the start
//! of a line or after a space starts a comment.

use std::path::Path;

use crate::model::Taken;
use crate::protocol::{Body, Event};

/// One step: `who` performs `op` (on `obj`, when given).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub who: String,
    pub op: String,
    pub obj: Option<String>,
    /// The line of the file it came from (for messages).
    pub line: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schedule {
    pub steps: Vec<Step>,
}

impl Schedule {
    /// Parse a schedule's text; errors name `origin` and the line.
    pub fn parse(text: &str, origin: &str) -> Result<Schedule, String> {
        let mut steps = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = without_comment(raw).trim();
            if line.is_empty() {
                continue;
            }
            let (who, rest) = first_word(line);
            let (op, rest) = first_word(rest);
            if op.is_empty() {
                return Err(format!(
                    "{origin}:{}: a step needs a process and an operation, like \
                     `Process-1 acquire lock`; found `{line}`",
                    i + 1
                ));
            }
            let obj = Some(rest.trim()).filter(|s| !s.is_empty());
            steps.push(Step {
                who: who.to_string(),
                op: op.to_string(),
                obj: obj.map(str::to_string),
                line: i + 1,
            });
        }
        Ok(Schedule { steps })
    }

    /// Read a schedule file, or the steps of a recording (`--record`).
    pub fn load(path: &Path) -> Result<Schedule, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the schedule {}: {e}", path.display()))?;
        if text.trim_start().starts_with('{') {
            return Schedule::of_recording(path);
        }
        Schedule::parse(&text, &path.display().to_string())
    }

    /// The steps a recorded run took (its `step` events chosen by the
    /// learner or a schedule, not those of a free run).
    fn of_recording(path: &Path) -> Result<Schedule, String> {
        let events = crate::record::read(path)
            .map_err(|e| format!("cannot read the recording {}: {e}", path.display()))?;
        let schedule = Schedule::of_events(&events);
        if schedule.steps.is_empty() {
            return Err(format!(
                "the recording {} has no steps: record a run in step mode (--step, or s on screen)",
                path.display()
            ));
        }
        Ok(schedule)
    }

    /// The steps a run's events say were taken, chosen by the learner or a
    /// schedule (not those let go because step mode was off).
    pub fn of_events(events: &[Event]) -> Schedule {
        let steps = events
            .iter()
            .filter_map(|e| match &e.body {
                Body::Step {
                    who,
                    what,
                    obj,
                    auto: false,
                } => Some((who, what, obj)),
                _ => None,
            })
            .enumerate()
            .map(|(i, (who, op, obj))| Step {
                who: who.clone(),
                op: op.clone(),
                obj: obj.clone(),
                line: i + 1,
            })
            .collect();
        Schedule { steps }
    }

    /// The steps a run took, as a schedule.
    pub fn from_taken(taken: &[Taken]) -> Schedule {
        let steps = taken
            .iter()
            .enumerate()
            .map(|(i, t)| Step {
                who: t.who.clone(),
                op: t.op.clone(),
                obj: t.obj.clone(),
                line: i + 1,
            })
            .collect();
        Schedule { steps }
    }

    /// The schedule as the file's text.
    pub fn to_text(&self) -> String {
        let mut text =
            String::from("# forklore schedule: who, operation, object (docs/schedules.md)\n");
        let width = self.steps.iter().map(|s| s.who.len()).max().unwrap_or(0);
        for s in &self.steps {
            let mut line = format!("{:width$}  {}", s.who, s.op);
            if let Some(obj) = &s.obj {
                line += "  ";
                line += obj;
            }
            text += line.trim_end();
            text += "\n";
        }
        text
    }

    /// The first `n` steps (undo: all but the last).
    pub fn prefix(&self, n: usize) -> Schedule {
        Schedule {
            steps: self.steps[..n.min(self.steps.len())].to_vec(),
        }
    }
}

impl Step {
    /// "step 3 (Process-1 read 'count')".
    pub fn describe(&self, index: usize) -> String {
        let mut s = format!("step {} ({} {}", index + 1, self.who, self.op);
        if let Some(obj) = &self.obj {
            s += " ";
            s += obj;
        }
        s + ")"
    }
}

/// The line up to a `#` that starts it or follows a space.
fn without_comment(line: &str) -> &str {
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        if c == '#' && prev.is_whitespace() {
            return &line[..i];
        }
        prev = c;
    }
    line
}

/// The text's first word, and the rest after it.
fn first_word(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    (&text[..end], &text[end..])
}
