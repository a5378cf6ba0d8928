//! The stage: what the processes share, chosen by what the run contains.
//! A Pool map shows its chunk strip; locks, queues, Manager servers and
//! watched globals each get a section; several stack. A run with none of
//! these shows each process's lifetime as a lane. The script's calls on
//! its children (`terminate`, `is_alive`) and the JSON files it shares
//! come after, whenever there are any.

mod applies;
mod calls;
mod deadlock;
mod files;
mod fit;
mod lanes;
mod managers;
mod pipes;
mod pool;
mod queues;
mod shared;
mod sync;
mod watched;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{panel, pid_span, View};

type Section = fn(&View, usize) -> Vec<Line<'static>>;

pub fn render(frame: &mut Frame, area: Rect, view: &View) {
    let block = panel(view, " Stage ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = lines(view, usize::from(inner.width));
    // Wrapped, not clipped: only a word wider than the stage needs it.
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The stage's lines for a panel `width` columns wide inside.
pub fn lines(view: &View, width: usize) -> Vec<Line<'static>> {
    let sharing: [Section; 10] = [
        deadlock::section,
        pool::section,
        applies::section,
        sync::section,
        queues::section,
        pipes::section,
        managers::section,
        files::section,
        shared::section,
        watched::section,
    ];
    let mut lines = stack(view, width, &sharing);
    if lines.is_empty() {
        lines = lanes::section(view, width);
    }
    let calls = stack(view, width, &[calls::section]);
    if !calls.is_empty() {
        lines.push(Line::default());
        lines.extend(calls);
    }
    // A line wider than the stage breaks between its phrases.
    lines.into_iter().flat_map(|l| fit::fit(l, width)).collect()
}

/// The non-empty sections, a blank line between two.
fn stack(view: &View, width: usize, sections: &[Section]) -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = Vec::new();
    for section in sections {
        let part = section(view, width);
        if part.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.extend(part);
    }
    lines
}

fn heading(view: &View, text: String) -> Line<'static> {
    Line::styled(text, view.theme.bold().patch(view.theme.text()))
}

fn label(view: &View, text: &str) -> Span<'static> {
    Span::styled(text.to_string(), view.theme.dim())
}

/// `a → b → c` (or `—`), each pid in its colour.
fn pid_list(view: &View, pids: impl IntoIterator<Item = i32>, sep: &str) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for pid in pids {
        if !spans.is_empty() {
            spans.push(Span::raw(sep.to_string()));
        }
        spans.push(pid_span(view, pid));
    }
    if spans.is_empty() {
        spans.push(label(view, "—"));
    }
    spans
}
