//! Queues, drawn: every item a box, moving left to right. An item being
//! put waits beside the queue by its putter (`4101 ▸ [p0-5]`) until the
//! put is confirmed (the model keeps it *arriving* till then); then it
//! sits in a slot (`[p0-3][p0-4][    ]`: as many slots as the queue has
//! room, when known); the item a get took leaves by its getter
//! (`[p0-2] ▸ 4102`).

use ratatui::text::{Line, Span};

use super::{label, pid_list};
use crate::model::{ProcState, QueueObj, Wait};
use crate::ui::{ellipsize, pid_span, View};

/// Where the boxes of a row start (after "  out  ").
const INDENT: usize = 7;

pub(super) fn section(view: &View, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for q in view.model.queues.in_order() {
        lines.push(header(view, q));
        lines.push(incoming(view, q));
        lines.push(slots(view, q, width));
        lines.push(outgoing(view, q));
    }
    lines
}

/// `  buffer  room 10 · 14 put · 12 got`
fn header(view: &View, q: &QueueObj) -> Line<'static> {
    let room = match limit(q) {
        Some(m) => format!("room {m}"),
        None => "no limit".to_string(),
    };
    let mut spans = vec![
        Span::styled(format!("  {}", q.label()), view.theme.bold()),
        label(view, &format!("  {room} · {} put · {} got", q.puts, q.gets)),
    ];
    // A JoinableQueue: the counter its join() waits on, and who waits.
    if let Some(n) = q.unfinished {
        let text = format!("  unfinished {n} · {} task_done", q.task_dones);
        spans.push(Span::styled(text, view.theme.warn()));
    }
    if !q.joiners.is_empty() {
        spans.push(Span::styled("  ⧗ join() ", view.theme.warn()));
        spans.extend(pid_list(view, q.joiners.iter().copied(), " "));
    }
    Line::from(spans)
}

/// `   in  4101 ▸ [p0-5]  ⧗4103 ▸ [p1-2]` (⧗: waiting for room).
fn incoming(view: &View, q: &QueueObj) -> Line<'static> {
    let mut spans = vec![label(view, "   in  ")];
    if q.arriving.is_empty() {
        spans.push(label(view, "—"));
    }
    for a in &q.arriving {
        if a.blocked {
            spans.push(Span::styled("⧗", view.theme.warn()));
        }
        spans.push(pid_span(view, a.pid));
        spans.push(Span::raw(" ▸ "));
        spans.push(item_box(
            view,
            &a.item,
            box_width(view, q),
            view.theme.pid(view.model, a.pid),
        ));
        spans.push(Span::raw("  "));
    }
    Line::from(spans)
}

/// `       [p0-3][p0-4][    ][    ]`: the items in, then free room.
fn slots(view: &View, q: &QueueObj, width: usize) -> Line<'static> {
    let w = box_width(view, q);
    let room = match limit(q) {
        Some(m) => (m as usize).max(q.items.len()),
        None => q.items.len() + 1,
    };
    let outer = w + 2 + if view.ui.big { 2 } else { 0 };
    let fits = (width.saturating_sub(INDENT + 3) / outer).max(1);
    let mut spans = vec![Span::raw(" ".repeat(INDENT))];
    let shown_items = if q.items.len() > fits {
        fits - 1
    } else {
        q.items.len()
    };
    for item in q.items.iter().take(shown_items) {
        spans.push(item_box(view, item, w, view.theme.text()));
    }
    if q.items.len() > shown_items {
        spans.push(label(view, &format!(" +{}", q.items.len() - shown_items)));
    } else {
        let free = (room - q.items.len()).min(fits - shown_items);
        for _ in 0..free {
            spans.push(item_box(view, "", w, view.theme.dim()));
        }
        if room - q.items.len() > free {
            spans.push(label(view, "…"));
        }
    }
    Line::from(spans)
}

/// `  out  [p0-2] ▸ 4102   ⧗ 4105 waiting to get`
fn outgoing(view: &View, q: &QueueObj) -> Line<'static> {
    let mut spans = vec![label(view, "  out  ")];
    match &q.last_got {
        Some((pid, item)) => {
            let style = view.theme.pid(view.model, *pid);
            spans.push(item_box(view, item, box_width(view, q), style));
            spans.push(Span::raw(" ▸ "));
            spans.push(pid_span(view, *pid));
        }
        None => spans.push(label(view, "—")),
    }
    let getters: Vec<i32> = view
        .model
        .procs
        .in_order()
        .into_iter()
        .filter(|p| matches!(&p.state, ProcState::Blocked(Wait::QueueGet { id }) if *id == q.id))
        .map(|p| p.pid)
        .collect();
    if !getters.is_empty() {
        spans.push(Span::styled("   ⧗ ", view.theme.warn()));
        for pid in getters {
            spans.push(pid_span(view, pid));
            spans.push(Span::raw(" "));
        }
        spans.push(label(view, "waiting to get"));
    }
    Line::from(spans)
}

/// Inside width of the boxes of `q`: its longest item, within limits.
fn box_width(view: &View, q: &QueueObj) -> usize {
    let longest = q
        .items
        .iter()
        .chain(q.arriving.iter().map(|a| &a.item))
        .map(|i| bare(i).chars().count())
        .max()
        .unwrap_or(0);
    let most = if view.ui.big { 12 } else { 8 };
    longest.clamp(4, most)
}

/// `[p0-3]`, cut to `w` characters, padded.
fn item_box(view: &View, item: &str, w: usize, style: ratatui::style::Style) -> Span<'static> {
    let text = ellipsize(bare(item), w);
    let pad = if view.ui.big { " " } else { "" };
    Span::styled(format!("[{pad}{text:<w$}{pad}]"), style)
}

/// An item's repr without the quotes of a string: `'p0-3'` → `p0-3`.
fn bare(item: &str) -> &str {
    let quoted = item.len() >= 2
        && (item.starts_with('\'') && item.ends_with('\'')
            || item.starts_with('"') && item.ends_with('"'));
    if quoted {
        &item[1..item.len() - 1]
    } else {
        item
    }
}

/// The queue's room, if it has a limit: `Queue()` without one reports
/// the largest semaphore value (2**31 - 1) as its maxsize.
fn limit(q: &QueueObj) -> Option<u64> {
    q.maxsize.filter(|m| *m > 0 && *m < i32::MAX as u64)
}
