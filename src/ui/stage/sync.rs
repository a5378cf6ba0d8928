//! Locks and semaphores, drawn: a semaphore as its tokens (`empty ●○`:
//! one left to take, one taken), a lock as held (`■ 4102`) or free (`□`), and the
//! processes waiting for each in line beside it, first in line first.

use ratatui::text::{Line, Span};

use super::{heading, label, pid_list};
use crate::model::SyncObj;
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
    if obj.is_semaphore() {
        spans.extend(tokens(view, obj));
    } else {
        spans.extend(lock(view, obj));
    }
    if !obj.waiters.is_empty() {
        spans.push(Span::styled("  ⧗ ", view.theme.warn()));
        spans.extend(pid_list(view, obj.waiters.iter().copied(), " "));
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
