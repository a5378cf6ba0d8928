//! The run's output, every fragment in its writer's colour. A line with
//! text from more than one process is garbled: flagged with ⚡ and counted
//! in the title. Follows the tail unless scrolled back.

use ratatui::layout::Rect;
use ratatui::text::{Line as TextLine, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::state::output_len;
use super::{expand_tabs, panel, View};
use crate::model::Line;

pub fn render(frame: &mut Frame, area: Rect, view: &View) {
    let output = &view.model.output;
    let total = output_len(view.model);
    let scroll = view.ui.output_scroll.min(total.saturating_sub(1));
    let count = match output.total_lines {
        1 => "1 line".to_string(),
        n => format!("{n} lines"),
    };
    let mut title = vec![Span::raw(format!(" Output · {count} "))];
    if output.garbled_lines > 0 {
        title.push(Span::styled(
            format!("⚡ {} garbled ", output.garbled_lines),
            view.theme.warn(),
        ));
    }
    if scroll > 0 {
        title.push(Span::styled(
            format!("↑ {scroll} back · PgDn follows "),
            view.theme.bold(),
        ));
    }
    let block = panel(view, TextLine::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let end = total - scroll;
    let start = end.saturating_sub(usize::from(inner.height));
    let current = (!output.current.fragments.is_empty()).then_some(&output.current);
    let lines: Vec<TextLine> = output
        .lines
        .iter()
        .chain(current)
        .skip(start)
        .take(end - start)
        .map(|line| text_line(view, line))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn text_line(view: &View, line: &Line) -> TextLine<'static> {
    let mark = if line.is_garbled() {
        Span::styled("⚡", view.theme.warn())
    } else {
        Span::raw("  ")
    };
    let mut spans = vec![mark];
    spans.extend(
        line.fragments
            .iter()
            .map(|f| Span::styled(expand_tabs(&f.text), view.theme.pid(view.model, f.pid))),
    );
    TextLine::from(spans)
}
