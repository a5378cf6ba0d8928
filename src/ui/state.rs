//! UI-only state and what each command does to it. Pure: no terminal, no
//! run; the app carries out the effects that need one (pause, restart, quit).

use crate::keys::Command;
use crate::model::Model;

/// Slow-motion factors `+`/`-` step through (`time.sleep` × factor).
const SPEEDS: [f64; 9] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

/// What the app must do after a command, beyond the UI state change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    None,
    Quit,
    TogglePause,
    Restart,
    /// A lesson or replay command: the app knows what it means now.
    App(Command),
}

#[derive(Clone, Debug, PartialEq)]
pub struct UiState {
    /// The focused process (row highlight, code pane follows it).
    pub selected: Option<i32>,
    /// Lines scrolled back from the end of the output; 0 follows the tail.
    pub output_scroll: usize,
    /// Lines a PgUp/PgDn moves: the output pane's height, set by the app.
    pub output_page: usize,
    pub show_help: bool,
    /// Slow-motion factor the next (re)start will use.
    pub slow: f64,
    /// Slow-motion factor the current run was started with.
    pub run_slow: f64,
    /// A one-line note for the status bar.
    pub message: Option<String>,
    /// Live socket counters of the current run (the model only learns
    /// them at the end of the run).
    pub malformed: u64,
    pub rejected: u64,
    /// The presenter's layout (`--big`): no code pane, a larger stage
    /// with fewer, larger elements.
    pub big: bool,
    /// The run is deadlocked: its wait-for graph, one line per process.
    pub deadlock: Option<Vec<String>>,
}

impl UiState {
    pub fn new(slow: f64) -> Self {
        UiState {
            selected: None,
            output_scroll: 0,
            output_page: 10,
            show_help: false,
            slow,
            run_slow: slow,
            message: None,
            malformed: 0,
            rejected: 0,
            big: false,
            deadlock: None,
        }
    }

    /// A new run started with the pending speed: forget what belonged to
    /// the old one.
    pub fn restarted(&mut self) {
        *self = UiState {
            output_page: self.output_page,
            show_help: self.show_help,
            big: self.big,
            ..UiState::new(self.slow)
        };
    }

    /// Apply a command to the UI state; returns what else the app must do.
    pub fn apply(&mut self, command: Command, model: &Model) -> Effect {
        match command {
            Command::Quit => return Effect::Quit,
            Command::TogglePause => return Effect::TogglePause,
            Command::Restart => return Effect::Restart,
            Command::FocusNext => self.move_focus(model, 1),
            Command::FocusPrev => self.move_focus(model, -1),
            Command::Select(pid) => {
                if model.procs.get(pid).is_some() {
                    self.selected = Some(pid);
                }
            }
            Command::SpeedUp => self.set_slow(slower_or_faster(self.slow, -1)),
            Command::SpeedDown => self.set_slow(slower_or_faster(self.slow, 1)),
            Command::ToggleHelp => self.show_help = !self.show_help,
            Command::Close => self.show_help = false,
            Command::ScrollOutputUp => {
                let max = output_len(model).saturating_sub(1);
                self.output_scroll = (self.output_scroll + self.page()).min(max);
            }
            Command::ScrollOutputDown => {
                self.output_scroll = self.output_scroll.saturating_sub(self.page());
            }
            other => return Effect::App(other),
        }
        Effect::None
    }

    fn page(&self) -> usize {
        self.output_page.max(1)
    }

    /// Move the focus through the process tree in screen order; from no
    /// focus, the first step lands on the first (or last) row.
    fn move_focus(&mut self, model: &Model, step: isize) {
        let pids: Vec<i32> = model.procs.tree().iter().map(|(_, p)| p.pid).collect();
        if pids.is_empty() {
            return;
        }
        let n = pids.len() as isize;
        let at = self
            .selected
            .and_then(|pid| pids.iter().position(|p| *p == pid));
        let next = match at {
            Some(i) => (i as isize + step).rem_euclid(n),
            None if step > 0 => 0,
            None => n - 1,
        };
        self.selected = Some(pids[next as usize]);
    }

    fn set_slow(&mut self, slow: f64) {
        self.slow = slow;
        self.message = if slow == self.run_slow {
            None
        } else {
            Some(format!(
                "slow-motion {} from the next restart (r)",
                slow_label(slow)
            ))
        };
    }
}

/// The next factor on the ladder, up (`dir` > 0, slower) or down (faster);
/// a factor between two rungs (from `--slow 3`) moves to the nearer one in
/// that direction.
fn slower_or_faster(slow: f64, dir: i32) -> f64 {
    let next = if dir > 0 {
        SPEEDS.iter().find(|s| **s > slow)
    } else {
        SPEEDS.iter().rev().find(|s| **s < slow)
    };
    next.copied().unwrap_or(slow)
}

/// "×2", "×½", "×¼": how the header and status show a slow-motion factor.
pub fn slow_label(slow: f64) -> String {
    if slow == 0.5 {
        "×½".to_string()
    } else if slow == 0.25 {
        "×¼".to_string()
    } else {
        format!("×{slow}")
    }
}

/// Lines the output pane can show: finished lines plus the one in progress.
pub fn output_len(model: &Model) -> usize {
    let current = usize::from(!model.output.current.fragments.is_empty());
    model.output.lines.len() + current
}
