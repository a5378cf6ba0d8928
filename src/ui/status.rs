//! The bottom bar: the most useful keys on the left, the run's counters on
//! the right (or a one-off message, such as when a speed change applies).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{Progress, View};
use crate::keys::{keys_of, Command};
use crate::model::RunState;

/// The commands hinted at in the status bar, most important first: on a
/// narrow screen the last ones are left out.
const HINTS: [(Command, &str); 5] = [
    (Command::TogglePause, "pause"),
    (Command::Restart, "restart"),
    (Command::Quit, "quit"),
    (Command::ToggleHelp, "help"),
    (Command::FocusNext, "focus"),
];
/// While a lesson's run holds at a beat: how to go on.
const HELD_HINTS: [(Command, &str); 4] = [
    (Command::BeatNext, "go on"),
    (Command::BeatBack, "previous beat"),
    (Command::TogglePace, "free pace"),
    (Command::Quit, "quit"),
];
/// While a question is asked.
const ASKING_HINTS: [(Command, &str); 3] = [
    (Command::Answer(0), "answer"),
    (Command::BeatNext, "pass"),
    (Command::Quit, "quit"),
];
/// In step mode (a live run): how to step.
const STEP_HINTS: [(Command, &str); 5] = [
    (Command::StepFocused, "step focused"),
    (Command::FocusNext, "focus"),
    (Command::RunFree, "run free"),
    (Command::Undo, "undo"),
    (Command::Quit, "quit"),
];
/// Hints kept even when the counters must be abbreviated.
const ESSENTIAL_HINTS: usize = 4;

pub fn render(frame: &mut Frame, area: Rect, view: &View) {
    let theme = view.theme;
    let width = usize::from(area.width);
    // The essential keys (or the message) come first; the counters take
    // what is left, then further hints fill any room.
    let wanted = match &view.ui.message {
        Some(msg) => msg.chars().count() + 1,
        None => hints_width(view, ESSENTIAL_HINTS),
    };
    let counters = counters(view, width.saturating_sub(wanted));
    let [left, right] = Layout::horizontal([
        Constraint::Min(0),
        Constraint::Length(counters.chars().count() as u16),
    ])
    .areas(area);
    let left_line = match (&view.ui.message, view.progress) {
        (Some(msg), _) => Line::from(Span::styled(format!(" {msg}"), theme.bold())),
        (None, Some(p)) => progress(view, &p, usize::from(left.width)),
        (None, None) => hints(view, usize::from(left.width)),
    };
    frame.render_widget(Paragraph::new(left_line).style(theme.bar()), left);
    frame.render_widget(Paragraph::new(counters).style(theme.bar()), right);
}

/// As many key hints as fit in `width` columns.
fn hints(view: &View, width: usize) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (key, hint) in hint_texts(view) {
        used += key.chars().count() + hint.chars().count();
        if used > width {
            break;
        }
        spans.push(Span::styled(key, view.theme.bold()));
        spans.push(Span::raw(hint));
    }
    Line::from(spans)
}

/// A replay's place: play state, time, a bar and the event count.
fn progress(view: &View, p: &Progress, width: usize) -> Line<'static> {
    let state = if p.playing {
        "▶ replay"
    } else {
        "⏸ replay"
    };
    // Lesson runs can last well under a second: show what changes.
    let digits = if p.total_s < 10.0 { 2 } else { 1 };
    let head = format!(
        " {state} {:.digits$}s / {:.digits$}s ",
        p.elapsed_s, p.total_s
    );
    let tail = format!(" {}/{} · ×{} · ? keys ", p.pos, p.len, p.speed);
    let room = width
        .saturating_sub(head.chars().count() + tail.chars().count())
        .min(40);
    let filled = (room * p.pos).checked_div(p.len).unwrap_or(0).min(room);
    Line::from(vec![
        Span::styled(head, view.theme.bold()),
        Span::styled("━".repeat(filled), view.theme.good()),
        Span::styled("─".repeat(room - filled), view.theme.dim()),
        Span::raw(tail),
    ])
}

fn hints_width(view: &View, count: usize) -> usize {
    1 + hint_texts(view)
        .iter()
        .take(count)
        .map(|(key, hint)| key.chars().count() + hint.chars().count())
        .sum::<usize>()
}

/// (key, " what  ") for each hint, "pause" reading "resume" while paused.
fn hint_texts(view: &View) -> Vec<(String, String)> {
    let paused = view.model.state == RunState::Paused;
    let pacer = view.lesson.and_then(|l| l.pacer).filter(|p| p.is_held());
    let stepping = view.model.steps.on && !matches!(view.model.state, RunState::Finished(_));
    let hints: &[(Command, &str)] = match pacer {
        Some(p) if p.asking().is_some() => &ASKING_HINTS,
        Some(_) => &HELD_HINTS,
        None if stepping && view.screen != crate::keys::Mode::Replay => &STEP_HINTS,
        None => &HINTS,
    };
    hints
        .iter()
        .map(|(command, what)| {
            let what = if *command == Command::TogglePause && paused {
                "resume"
            } else {
                what
            };
            (first_key(view, *command), format!(" {what}  "))
        })
        .collect()
}

/// One key per hint keeps the bar short.
fn first_key(view: &View, command: Command) -> String {
    keys_of(view.screen, command)
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The event counters, in words when they fit in `room`, else abbreviated.
fn counters(view: &View, room: usize) -> String {
    let stats = &view.model.stats;
    let malformed = stats.malformed.max(view.ui.malformed);
    let rejected = stats.rejected.max(view.ui.rejected);
    let events = stats.events;
    let long = format!(" events {events} · malformed {malformed} · rejected {rejected} ");
    if long.chars().count() <= room {
        long
    } else {
        format!(" ev {events} · bad {malformed}/{rejected} ")
    }
}
