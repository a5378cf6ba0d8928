//! Shared memory: each Value and Array with its contents now, how often
//! it was read and written, the increments a counter lost, and the latest
//! accesses by PID.

use ratatui::text::{Line, Span};

use super::{heading, label};
use crate::model::SharedObj;
use crate::protocol::RwOp;
use crate::ui::{ellipsize, pid_span, View};

/// Latest accesses listed per object.
const SHOWN: usize = 3;

pub(super) fn section(view: &View, width: usize) -> Vec<Line<'static>> {
    let objs = view.model.shared.in_order();
    if objs.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![heading(
        view,
        "Shared memory (one copy, seen by every process)".to_string(),
    )];
    for obj in objs {
        lines.push(summary(view, obj, width));
        let skip = obj.recent.len().saturating_sub(SHOWN);
        for (pid, op, index, value) in obj.recent.iter().skip(skip) {
            let verb = if *op == RwOp::Write { "wrote" } else { "read " };
            let at = index.map_or(String::new(), |i| format!("[{i}]"));
            lines.push(Line::from(vec![
                Span::raw("    "),
                pid_span(view, *pid),
                label(view, &format!(" {verb} {}{at} = ", obj.label())),
                Span::raw(ellipsize(value, width.saturating_sub(30).max(8))),
            ]));
        }
    }
    lines
}

/// `  counter  Value = 376  read 800× · written 800× · 424 increments lost`
fn summary(view: &View, obj: &SharedObj, width: usize) -> Line<'static> {
    let now = match obj.kind.as_str() {
        "Array" => format!("[{}]", obj.items.join(", ")),
        _ => obj.value.clone().unwrap_or_else(|| "?".into()),
    };
    let mut spans = vec![
        Span::styled(format!("  {}", obj.label()), view.theme.bold()),
        label(view, &format!("  {} = ", obj.kind)),
        Span::styled(ellipsize(&now, width / 2), view.theme.bold()),
        label(
            view,
            &format!("  read {}× · written {}×", obj.reads, obj.writes),
        ),
    ];
    if let Some(lost) = obj.lost_increments().filter(|n| *n > 0) {
        let s = if lost == 1 { "" } else { "s" };
        spans.push(Span::styled(
            format!(" · {lost} increment{s} lost"),
            view.theme.bad(),
        ));
    }
    Line::from(spans)
}
