//! The lesson picker: every lesson with its number and title, grouped by
//! theme, and the summary and parameters of the highlighted one.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{panel, Overlay, View};
use crate::lesson::manifest::value_text;
use crate::lesson::{Catalog, Lang, Theme};

/// Rows kept for the highlighted lesson's summary and parameters.
const DETAIL_ROWS: u16 = 7;

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
    let (items, at) = list_lines(view, catalog, selected, lang);
    let rows = items.len() as u16;
    // The summary keeps a few rows; a list longer than the rest scrolls
    // so the highlighted lesson stays in view.
    let room = inner.height.saturating_sub(DETAIL_ROWS).max(3);
    let [list, details] =
        Layout::vertical([Constraint::Length((rows + 1).min(room)), Constraint::Min(0)])
            .areas(inner);
    let scroll = (at as u16).saturating_sub(list.height.saturating_sub(1));
    frame.render_widget(Paragraph::new(items).scroll((scroll, 0)), list);
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

/// One line per lesson in picker order, a heading before each theme;
/// and which line is the selected lesson's.
fn list_lines(
    view: &View,
    catalog: &Catalog,
    selected: usize,
    lang: Lang,
) -> (Vec<Line<'static>>, usize) {
    let mut at = 0;
    let mut lines = Vec::new();
    let mut group: Option<Option<Theme>> = None;
    for i in catalog.picker_order() {
        let l = &catalog.lessons[i];
        if group != Some(l.manifest.theme) {
            group = Some(l.manifest.theme);
            let title = l
                .manifest
                .theme
                .map_or_else(|| "Other".to_string(), |t| t.title().get(lang).to_string());
            lines.push(Line::styled(
                title,
                view.theme.dim().patch(view.theme.bold()),
            ));
        }
        let (marker, style) = if i == selected {
            at = lines.len();
            ("▶ ", view.theme.selected())
        } else {
            ("  ", view.theme.text())
        };
        let number = l.number().map_or(i + 1, |n| n as usize);
        lines.push(Line::from(vec![
            Span::styled(format!("{marker}{number:>2}. "), style),
            Span::styled(format!("{:<28}", l.slug()), style.patch(view.theme.bold())),
            Span::styled(l.manifest.title.get(lang).to_string(), style),
        ]));
    }
    (lines, at)
}
