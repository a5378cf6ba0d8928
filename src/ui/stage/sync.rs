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
    let taken = all - free;
    let gap = if view.ui.big { " " } else { "" };
    let glyphs = |c: &str, n: i64| vec![c; n as usize].join(gap);
    let mut spans = if all == 0 {
        vec![label(view, "·")]
    } else if all > MAX_TOKENS {
        vec![
            Span::styled(format!("●×{free}"), view.theme.good()),
            Span::raw(" "),
            Span::styled(format!("○×{taken}"), view.theme.warn()),
        ]
    } else {
        vec![
            Span::styled(glyphs("●", free), view.theme.good()),
            Span::raw(gap),
            Span::styled(glyphs("○", taken), view.theme.warn()),
        ]
    };
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
