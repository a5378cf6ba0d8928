//! Queues: the items in them and the last move.

use ratatui::text::{Line, Span};

use super::{heading, label};
use crate::model::QueueObj;
use crate::protocol::QueueOp;
use crate::ui::{ellipsize, pid_span, View};

pub(super) fn section(view: &View, width: usize) -> Vec<Line<'static>> {
    let all = view.model.queues.in_order();
    if all.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![heading(view, "Queues".to_string())];
    for q in all {
        lines.push(queue_row(view, q, width));
        if let Some(last) = &q.last {
            lines.push(last_move(view, last));
        }
    }
    lines
}

fn queue_row(view: &View, q: &QueueObj, width: usize) -> Line<'static> {
    let count = q.size.unwrap_or(q.items.len() as i64);
    let head = format!("  {} ", q.label());
    let counts = format!("  {count} in queue · {} put · {} got", q.puts, q.gets);
    let room = width.saturating_sub(head.chars().count() + counts.chars().count() + 2);
    let items = if q.items.is_empty() {
        "empty".to_string()
    } else {
        q.items.iter().cloned().collect::<Vec<_>>().join(" ")
    };
    Line::from(vec![
        Span::styled(head, view.theme.bold()),
        Span::raw(format!("[{}]", ellipsize(&items, room))),
        label(view, &counts),
    ])
}

fn last_move(view: &View, (pid, op, item): &(i32, QueueOp, String)) -> Line<'static> {
    let verb = match op {
        QueueOp::Put => "put",
        QueueOp::Get => "got",
        _ => "touched",
    };
    Line::from(vec![
        label(view, "    last: "),
        pid_span(view, *pid),
        Span::raw(format!(" {verb} {item}")),
    ])
}
