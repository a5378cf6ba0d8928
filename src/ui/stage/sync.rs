//! Locks, semaphores, events and barriers: a lock's holder, a semaphore's
//! value, an event's flag, a barrier's count, and who waits, in order.

use ratatui::text::{Line, Span};

use super::{heading, label, pid_list};
use crate::model::SyncObj;
use crate::protocol::SyncKind;
use crate::ui::View;

pub(super) fn section(view: &View, _width: usize) -> Vec<Line<'static>> {
    let objs = view.model.sync.in_order();
    if objs.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![heading(view, "Locks & semaphores".to_string())];
    lines.extend(objs.into_iter().flat_map(|o| sync_rows(view, o)));
    lines
}

/// One line for the object and who holds it; a second, when someone
/// waits, with the waiters in the order they began waiting.
fn sync_rows(view: &View, obj: &SyncObj) -> Vec<Line<'static>> {
    let mut spans = vec![
        Span::raw("  "),
        Span::styled(obj.label(), view.theme.bold()),
        label(view, &format!(" {}", obj.kind)),
    ];
    spans.extend(state_spans(view, obj));
    let mut lines = vec![Line::from(spans)];
    if !obj.waiters.is_empty() {
        let mut waiting = vec![Span::styled("    ⧗ waiting ", view.theme.warn())];
        waiting.extend(pid_list(view, obj.waiters.iter().copied(), " → "));
        lines.push(Line::from(waiting));
    }
    lines
}

/// What the object is like now, by kind.
fn state_spans(view: &View, obj: &SyncObj) -> Vec<Span<'static>> {
    match obj.kind {
        SyncKind::Semaphore | SyncKind::BoundedSemaphore => {
            vec![Span::raw(format!("  value {}", obj.value.unwrap_or(0)))]
        }
        SyncKind::Event => {
            let set = obj.value.unwrap_or(0) > 0;
            let (text, style) = if set {
                ("  set", view.theme.good())
            } else {
                ("  not set", view.theme.warn())
            };
            vec![Span::styled(text.to_string(), style)]
        }
        SyncKind::Barrier => {
            let mut spans = vec![Span::raw(format!(
                "  {} of {} waiting",
                obj.waiters.len(),
                obj.parties.map_or("?".into(), |p| p.to_string())
            ))];
            if obj.broken {
                spans.push(Span::styled("  broken".to_string(), view.theme.bad()));
            }
            spans
        }
        _ => {
            let mut spans = Vec::new();
            if let Some(value) = obj.value {
                spans.push(Span::raw(format!("  value {value}")));
            }
            spans.push(label(view, "  held by "));
            if obj.holders.is_empty() {
                spans.push(Span::styled("nobody", view.theme.good()));
            } else {
                spans.extend(pid_list(view, obj.holders.iter().copied(), ", "));
            }
            spans
        }
    }
}
