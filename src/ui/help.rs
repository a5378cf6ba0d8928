//! The `?` overlay: every key of the key table, generated from it.

use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{panel, View};
use crate::keys::{help_rows, Mode};

pub fn render(frame: &mut Frame, area: Rect, view: &View) {
    // The keys of the screen under the help, and how to close it.
    let rows = help_rows(&[view.screen, Mode::Help]);
    let key_width = rows
        .iter()
        .map(|(keys, _)| keys.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = rows
        .into_iter()
        .map(|(keys, help)| {
            Line::from(vec![
                Span::styled(format!(" {keys:<key_width$}  "), view.theme.bold()),
                Span::styled(help, view.theme.text()),
            ])
        })
        .collect();
    lines.push(Line::default());
    lines.push(Line::styled(
        " A click on a process row focuses it (in step mode: steps it).",
        view.theme.dim(),
    ));
    let widest = lines.iter().map(Line::width).max().unwrap_or(0) as u16;
    let popup = area.centered(
        Constraint::Length((widest + 2).min(area.width)),
        Constraint::Length((lines.len() as u16 + 2).min(area.height)),
    );
    frame.render_widget(Clear, popup);
    let block = panel(view, " Keys · Esc or ? closes ");
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
}
