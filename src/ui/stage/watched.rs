//! Watched globals: each process's own copy of the script's globals.

use ratatui::text::{Line, Span};

use super::heading;
use crate::ui::{pid_span, View};

pub(super) fn section(view: &View, _width: usize) -> Vec<Line<'static>> {
    let procs: Vec<_> = view
        .model
        .procs
        .in_order()
        .into_iter()
        .filter(|p| !p.vars.is_empty())
        .collect();
    if procs.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![heading(
        view,
        "Watched globals (each process has its own copy)".to_string(),
    )];
    for p in procs {
        for (name, value) in &p.vars {
            let shown = match (value.len, &value.first, &value.last) {
                (Some(len), Some(first), Some(last)) => format!("len {len}  [{first} … {last}]"),
                (Some(len), _, _) => format!("len {len}  {}", value.repr),
                _ => value.repr.clone(),
            };
            let mut spans = vec![
                Span::raw("  "),
                pid_span(view, p.pid),
                Span::styled(format!("  {name}"), view.theme.bold()),
                Span::raw(format!(" = {shown}")),
            ];
            if let Some(module) = &p.reimported_as {
                // Why a spawn child's copy starts from the module's own value.
                let note = format!("   (re-ran the module as {module})");
                spans.push(Span::styled(note, view.theme.warn()));
            }
            lines.push(Line::from(spans));
        }
    }
    lines
}
