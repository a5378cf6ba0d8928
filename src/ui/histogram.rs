//! The window over the screen while a lesson runs many times (`R`,
//! `--repeat N`): a progress bar, then the histogram of the lesson's
//! outcome as it grows, the run on screen marked.

use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::{panel, Overlay, View};

pub fn render(frame: &mut Frame, area: Rect, view: &View) {
    let Overlay::Histogram {
        histogram,
        done,
        runs,
        title,
        mark,
    } = view.overlay
    else {
        return;
    };
    let width = area.width.saturating_sub(4).min(90);
    let bar = usize::from(width).saturating_sub(24).max(8);
    let filled = (bar * done).checked_div(runs).unwrap_or(0).min(bar);
    let mut lines = vec![Line::from(vec![
        Span::styled(format!(" {done} of {runs} runs "), view.theme.bold()),
        Span::styled("━".repeat(filled), view.theme.good()),
        Span::styled("─".repeat(bar - filled), view.theme.dim()),
    ])];
    for text in histogram.text(mark, bar.min(40)) {
        let style = if text.ends_with("◀ this run") {
            view.theme.bold().patch(view.theme.warn())
        } else {
            view.theme.text()
        };
        lines.push(Line::styled(format!(" {text}"), style));
    }
    let footer = if done < runs {
        " Every run is a real run. Esc hides this; the runs go on."
    } else {
        " Esc closes · R runs them all again"
    };
    lines.push(Line::styled(footer, view.theme.dim()));
    let popup = area.centered(
        Constraint::Length(width + 2),
        Constraint::Length((lines.len() as u16 + 2).min(area.height)),
    );
    frame.render_widget(Clear, popup);
    let block = panel(view, format!(" {title} · run {runs} times "));
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
