//! JSON files the processes share: what is in each now, how often it was
//! read and written, and the latest accesses by PID.

use ratatui::text::{Line, Span};

use super::{heading, label};
use crate::model::FileObj;
use crate::protocol::RwOp;
use crate::ui::{pid_span, View};

/// Accesses listed per file (the model keeps a few more).
const SHOWN: usize = 8;

pub(super) fn section(view: &View, width: usize) -> Vec<Line<'static>> {
    let files = view.model.files.in_order();
    if files.is_empty() {
        return Vec::new();
    }
    let mut lines = Vec::new();
    for f in files {
        lines.extend(file_lines(view, f, width));
    }
    lines
}

fn file_lines(view: &View, f: &FileObj, width: usize) -> Vec<Line<'static>> {
    let name = std::path::Path::new(&f.path)
        .file_name()
        .map_or(f.path.clone(), |n| n.to_string_lossy().into_owned());
    let mut lines = vec![
        heading(
            view,
            format!("File {name} · read {}× · written {}×", f.reads, f.writes),
        ),
        Line::from(vec![
            label(view, "  now: "),
            Span::styled(f.text.clone(), view.theme.bold()),
        ]),
    ];
    let room = width.saturating_sub(20).max(10);
    let skip = f.recent.len().saturating_sub(SHOWN);
    for a in f.recent.iter().skip(skip) {
        let (verb, style) = match a.op {
            RwOp::Write => ("wrote", view.theme.warn()),
            _ => ("read ", view.theme.text()),
        };
        let text: String = a.text.chars().take(room).collect();
        lines.push(Line::from(vec![
            Span::raw("  "),
            pid_span(view, a.pid),
            Span::styled(format!(" {verb} "), style),
            Span::raw(text),
        ]));
    }
    lines
}
