//! What the screen is given to draw: the model and UI state, the lesson's
//! narration, pace and questions, a window over it, a replay's progress.

use super::{App, Window};
use crate::ui::{LessonView, Overlay, View};

impl App {
    pub(super) fn view(&self) -> View<'_> {
        let mut view = View::new(
            &self.session.model,
            &self.ui,
            self.theme,
            &self.source,
            &self.title,
        );
        view.screen = self.screen_mode();
        view.lesson = self.lesson_view();
        view.overlay = match (&self.window, &self.lesson) {
            (Window::Picker(selected), Some(l)) => Overlay::Picker {
                catalog: &l.catalog,
                selected: *selected,
                lang: l.lang,
            },
            (Window::Editor(editor), Some(l)) => Overlay::Editor {
                lesson: l.lesson(),
                editor,
                lang: l.lang,
            },
            (Window::Histogram, _) => match &self.repeats {
                Some(r) => Overlay::Histogram {
                    histogram: &r.histogram,
                    done: r.done,
                    runs: r.runs(),
                    title: &r.title,
                    mark: r.mark.as_deref(),
                },
                None => Overlay::None,
            },
            (Window::Explore, _) => match &self.exploring {
                Some(e) => Overlay::Explore(crate::ui::explore::Explored {
                    title: &e.title,
                    seconds: e.started.elapsed().as_secs(),
                    progress: e.progress,
                    max: self.search.max_schedules,
                    report: e.report.as_ref(),
                    error: e.error.as_deref(),
                    selected: e.selected,
                    correct: e.correct.as_deref(),
                }),
                None => Overlay::None,
            },
            _ => Overlay::None,
        };
        view.progress = self.session.player().map(|p| p.progress());
        view
    }

    fn lesson_view(&self) -> Option<LessonView<'_>> {
        let narration = &self.session.narration;
        if narration.beats().is_empty() {
            return None;
        }
        if let Some(p) = self.session.player() {
            return Some(LessonView::new(narration, p.lang, &p.settings, &p.watch));
        }
        let l = self.lesson.as_ref()?;
        let manifest = &l.lesson().manifest;
        let mut view = LessonView::new(narration, l.lang, &l.settings, &manifest.watch);
        view.variant = l.variant.map(|i| manifest.variants[i].name.get(l.lang));
        if self.session.run().is_some() {
            view.pacer = Some(&self.pacer);
            view.quiz = Some(&self.quiz);
        }
        view.turn = manifest.turn.as_ref();
        Some(view)
    }
}
