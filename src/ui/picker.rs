//! The lesson picker: every lesson with its title, and the summary and
//! parameters of the highlighted one.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{panel, Overlay, View};
use crate::lesson::manifest::value_text;

pub fn render(frame: &mut Frame, area: Rect, view: &View) {
    let Overlay::Picker {
        catalog,
        selected,
        lang,
    } = view.overlay
    else {
        return;
    };
    let popup = area.centered(
        Constraint::Length(area.width.saturating_sub(4).clamp(40, 110)),
        Constraint::Length(area.height.saturating_sub(2).clamp(10, 30)),
    );
    frame.render_widget(Clear, popup);
    let block = panel(
        view,
        " Lessons · ↑↓ choose · Enter run · l language · q quit ",
    );
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let rows = catalog.lessons.len() as u16;
    let [list, details] =
        Layout::vertical([Constraint::Length(rows + 1), Constraint::Min(0)]).areas(inner);
    let items: Vec<Line> = catalog
        .lessons
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let marker = if i == selected { "▶ " } else { "  " };
            let style = if i == selected {
                view.theme.selected()
            } else {
                view.theme.text()
            };
            Line::from(vec![
                Span::styled(format!("{marker}{}. ", i + 1), style),
                Span::styled(format!("{:<30}", l.slug()), style.patch(view.theme.bold())),
                Span::styled(l.manifest.title.get(lang).to_string(), style),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(items), list);
    let Some(lesson) = catalog.lessons.get(selected) else {
        return;
    };
    let mut lines = vec![
        Line::styled(
            lesson.manifest.summary.get(lang).to_string(),
            view.theme.text(),
        ),
        Line::default(),
    ];
    for p in &lesson.manifest.params {
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {} = {}", p.name, value_text(&p.default)),
                view.theme.bold(),
            ),
            Span::styled(
                format!("  ({})  {}", p.range_text(), p.help.get(lang)),
                view.theme.dim(),
            ),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), details);
}
