//! What the script did to its children from outside, in time order:
//! `is_alive()` answers, `terminate()`/`kill()`, `join()` returning, and
//! how each child ended.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::heading;
use crate::model::{Proc, ProcState};
use crate::ui::{pid_span, View};

pub(super) fn section(view: &View, _width: usize) -> Vec<Line<'static>> {
    let procs: Vec<&Proc> = view
        .model
        .procs
        .in_order()
        .into_iter()
        .filter(|p| p.calls.signal.is_some() || !p.calls.alive.is_empty())
        .collect();
    if procs.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![heading(
        view,
        "Main's calls on each child (time →)".to_string(),
    )];
    for p in procs {
        let mut spans = vec![
            Span::raw("  "),
            Span::styled(format!("{:<8}", p.name), view.theme.bold()),
            pid_span(view, p.pid),
            Span::raw("  "),
        ];
        for (i, (text, style)) in steps(view, p).into_iter().enumerate() {
            if i > 0 {
                spans.push(Span::styled(" → ", view.theme.dim()));
            }
            spans.push(Span::styled(text, style));
        }
        lines.push(Line::from(spans));
    }
    lines
}

/// The child's calls and its end, as (text, style), earliest first.
fn steps(view: &View, p: &Proc) -> Vec<(String, Style)> {
    let mut at: Vec<(u64, String, Style)> = Vec::new();
    for check in &p.calls.alive {
        let answer = if check.alive { "True" } else { "False" };
        at.push((check.t, format!("is_alive() {answer}"), view.theme.text()));
    }
    if let Some((t, signal)) = p.calls.signal {
        let call = match signal {
            9 => "kill(): SIGKILL".to_string(),
            15 => "terminate(): SIGTERM".to_string(),
            n => format!("signal {n}"),
        };
        at.push((t, call, view.theme.warn()));
    }
    if let Some(t) = p.calls.joined_t {
        at.push((t, "join() returned".to_string(), view.theme.text()));
    }
    let end = match p.state {
        ProcState::Exited(c) => Some((format!("ended: exitcode {c}"), view.theme.good())),
        ProcState::Killed(s) => Some((format!("ended: exitcode -{s}"), view.theme.bad())),
        _ => None,
    };
    if let (Some((text, style)), Some(t)) = (end, p.ended_t) {
        at.push((t, text, style));
    }
    // Ties keep the order above (an answer before the signal it prompted).
    at.sort_by_key(|(t, _, _)| *t);
    at.into_iter()
        .map(|(_, text, style)| (text, style))
        .collect()
}
