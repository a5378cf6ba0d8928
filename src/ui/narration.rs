//! The lesson's narration: the beat reached now, with this run's numbers
//! filled in, and where it stands among the lesson's beats.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{panel, LessonView, View};
use crate::lesson::facts::{facts, fill};
use crate::lesson::manifest::Beat;
use crate::model::Model;

pub fn render(frame: &mut Frame, area: Rect, view: &View) {
    let Some(lesson) = view.lesson else { return };
    let narration = lesson.narration;
    let total = narration.beats().len();
    let mut title = format!(" Narration · {}/{} ", narration.reached(), total);
    if let Some(variant) = lesson.variant {
        title.push_str(&format!("· variant: {variant} "));
    }
    let text = narration
        .current()
        .map(|beat| beat_text(beat, view.model, &lesson))
        .unwrap_or_default();
    let waiting = narration.reached() < total;
    let mut lines = vec![Line::from(Span::styled(text, view.theme.bold()))];
    if waiting && area.height > 3 {
        lines.push(Line::from(Span::styled(
            "… more when the run gets there",
            view.theme.dim(),
        )));
    }
    let block = panel(view, title);
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}

/// A beat's words as the panel shows them: in the lesson's language, with
/// this run's numbers (from `model`) in place of the placeholders.
pub fn beat_text(beat: &Beat, model: &Model, lesson: &LessonView) -> String {
    fill(
        beat.text.get(lesson.lang),
        lesson.settings,
        &facts(model, lesson.watch),
    )
}
