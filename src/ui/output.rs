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
    spans.extend(line.fragments.iter().map(|f| {
        Span::styled(
            expand_tabs(&without_escapes(&f.text)),
            view.theme.pid(view.model, f.pid),
        )
    }));
    TextLine::from(spans)
}

/// `text` without terminal escape sequences (`ESC [ … m` and the like).
/// A program writing to a terminal may colour its output (Python 3.13
/// colours its tracebacks): the pane colours by writer and would show
/// the sequences as `[35m`. Only the drawing drops them; the recorded
/// bytes and the headless output keep them.
fn without_escapes(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\x1b') {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        // CSI: ESC [ parameters… then one final byte in @..~.
        if chars.next_if_eq(&'[').is_some() {
            while chars.next().is_some_and(|c| !('@'..='~').contains(&c)) {}
        } else {
            chars.next(); // a two-character escape (ESC 7, ESC c…)
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::without_escapes;

    #[test]
    fn escape_sequences_are_not_drawn() {
        let coloured = "File \x1b[35m\"x.py\"\x1b[0m, line \x1b[1;35m1\x1b[0m\x1b7";
        assert_eq!(without_escapes(coloured), "File \"x.py\", line 1");
        assert_eq!(without_escapes("plain [35m"), "plain [35m");
    }
}
