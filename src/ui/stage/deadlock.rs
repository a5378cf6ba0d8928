//! A deadlocked run's wait-for graph, drawn: for each process, what it
//! holds, what it waits for and who holds that, each process in its
//! colour, so the cycle reads from the back of a room.

use ratatui::text::{Line, Span};

use super::{heading, label, pid_list, View};
use crate::ui::pid_span;

/// Shown once the screen has said the run is deadlocked.
pub fn section(view: &View, _width: usize) -> Vec<Line<'static>> {
    if view.ui.deadlock.is_none() {
        return Vec::new();
    }
    let Some(stuck) = view.model.deadlock() else {
        return Vec::new();
    };
    let mut lines = vec![heading(view, "⛔ Deadlock: who waits for whom".to_string())];
    for s in &stuck {
        let mut first = vec![pid_span(view, s.pid), Span::raw(format!(" {}", s.name))];
        if !s.holds.is_empty() {
            first.push(label(view, "  holds "));
            first.push(Span::styled(s.holds.join(", "), view.theme.bold()));
        }
        lines.push(Line::from(first));
        let mut wait = vec![
            label(view, "  └─ waits for ─▶ "),
            Span::styled(s.waits_for.clone(), view.theme.warn()),
        ];
        if !s.on.is_empty() {
            wait.push(label(view, " ─ held by ─▶ "));
            wait.extend(pid_list(view, s.on.iter().copied(), ", "));
        }
        lines.push(Line::from(wait));
    }
    lines.push(label_line(
        view,
        "Each waits for another; none can go on. q or r ends the run.",
    ));
    lines
}

fn label_line(view: &View, text: &str) -> Line<'static> {
    Line::from(label(view, text))
}
