//! Locks, semaphores, events and barriers, drawn: a semaphore as its
//! tokens (`empty ●○`: one left to take, one taken), a lock as held
//! (`■ 4102`) or free (`□`), an event's flag, a barrier's count, and the
//! processes waiting for each in line beside it, first in line first; a
//! Condition also counts its notifies and the waits they ended.

use ratatui::text::{Line, Span};

use super::{heading, label, pid_list};
use crate::model::SyncObj;
use crate::protocol::SyncKind;
use crate::ui::View;

/// Past this many tokens a semaphore is drawn as counts.
const MAX_TOKENS: i64 = 12;

pub(super) fn section(view: &View, _width: usize) -> Vec<Line<'static>> {
    let objs = view.model.sync.in_order();
    if objs.is_empty() {
        return Vec::new();
    }
    let names = objs
        .iter()
        .map(|o| o.label().chars().count())
        .max()
        .unwrap_or(0);
    let mut lines = vec![heading(view, "Locks & semaphores".to_string())];
    lines.extend(objs.into_iter().map(|o| row(view, o, names)));
    lines
}

/// `  empty  ●○  1 of 2 left  ⧗ 4101 4103`
fn row(view: &View, obj: &SyncObj, names: usize) -> Line<'static> {
    let mut spans = vec![Span::styled(
        format!("  {:<names$}  ", obj.label()),
        view.theme.bold(),
    )];
    spans.extend(match obj.kind {
        SyncKind::Semaphore | SyncKind::BoundedSemaphore => tokens(view, obj),
        SyncKind::Event => flag(view, obj),
        SyncKind::Barrier => barrier(view, obj),
        _ => lock(view, obj),
    });
    if !obj.waiters.is_empty() {
        spans.push(Span::styled("  ⧗ ", view.theme.warn()));
        spans.extend(pid_list(view, obj.waiters.iter().copied(), " "));
    }
    if obj.kind == SyncKind::Condition {
        // Wakes can lag notifies: a woken waiter must get the lock back.
        let text = format!("  notified {}×, woke {}", obj.notifies, obj.woken);
        spans.push(label(view, &text));
    }
    Line::from(spans)
}

/// ● a token left to take, ○ a taken one; the value in words after them.
fn tokens(view: &View, obj: &SyncObj) -> Vec<Span<'static>> {
    let free = obj.value.unwrap_or(0).max(0);
    let all = obj.tokens.unwrap_or(free).max(free);
    let mut spans = Vec::new();
    if all == 0 {
        spans.push(label(view, "·"));
    } else if all > MAX_TOKENS {
        spans.push(Span::styled(format!("●×{free}"), view.theme.good()));
        spans.push(Span::styled(
            format!(" ○×{}", all - free),
            view.theme.warn(),
        ));
    } else {
        for i in 0..all {
            if i > 0 && view.ui.big {
                spans.push(Span::raw(" "));
            }
            spans.push(match i < free {
                true => Span::styled("●", view.theme.good()),
                false => Span::styled("○", view.theme.warn()),
            });
        }
    }
    spans.push(label(view, &format!("  {free} of {all} left")));
    spans
}

/// ■ held by whom, or □ free.
fn lock(view: &View, obj: &SyncObj) -> Vec<Span<'static>> {
    if obj.holders.is_empty() {
        return vec![Span::styled("□ free", view.theme.good())];
    }
    let mut spans = vec![Span::styled("■ ", view.theme.warn())];
    spans.extend(pid_list(view, obj.holders.iter().copied(), ", "));
    spans.push(label(view, " holds it"));
    spans
}

/// An Event's flag.
fn flag(view: &View, obj: &SyncObj) -> Vec<Span<'static>> {
    if obj.value.unwrap_or(0) > 0 {
        vec![Span::styled("⚑ set", view.theme.good())]
    } else {
        vec![Span::styled("⚐ not set", view.theme.warn())]
    }
}

/// How many wait at a Barrier of how many parties; whether it broke.
fn barrier(view: &View, obj: &SyncObj) -> Vec<Span<'static>> {
    let parties = obj.parties.map_or("?".into(), |p| p.to_string());
    let mut spans = vec![Span::raw(format!(
        "{} of {parties} waiting",
        obj.waiters.len()
    ))];
    if obj.broken {
        spans.push(Span::styled("  broken", view.theme.bad()));
    }
    spans
}
