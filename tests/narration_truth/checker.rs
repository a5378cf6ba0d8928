//! Reading one recorded run as the learner would: each text as this run
//! says it, in both languages, and the screen that shows it.

use forklore::lesson::facts::{facts, Facts};
use forklore::lesson::say::{placeholders, Env, Said};
use forklore::lesson::{Lang, Lesson, Pace, Pacer, Quiz, Settings};
use forklore::model::Model;
use forklore::session::Session;
use forklore::ui::{self, LessonView, Theme, ThemeName, UiState, View};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

use super::claims::false_claims;
use super::screen::cut_text;
use super::SCREENS;

pub struct Checker<'a> {
    pub lesson: &'a Lesson,
    pub settings: &'a Settings,
    pub problems: Vec<String>,
}

impl Checker<'_> {
    /// Beat `beat` was just reached: its words, the questions asked there,
    /// the verdicts revealed there.
    pub fn beat(&mut self, session: &Session, beat: usize, quiz: &mut Quiz) {
        let model = &session.model;
        let f = facts(model, &self.lesson.manifest.watch);
        let said = &self.lesson.manifest.beats[beat - 1].text;
        self.said(&format!("beat {beat}"), said, &f);
        for q in 0..quiz.len() {
            let p = quiz.question(q).unwrap().clone();
            if p.beat != beat {
                continue;
            }
            let at = format!("question at beat {beat}");
            self.said(&at, &p.question, &f);
            for c in &p.choices {
                self.said(&at, &Said::plain(c.text.clone()), &f);
            }
            let mut asked = Quiz::new(vec![p], quiz_beats(self.lesson));
            let mut pacer = Pacer::new(Pace::Free, quiz_beats(self.lesson));
            pacer.reached(beat, &asked);
            self.draw(&at, session, &pacer, &asked);
            asked.skip(0);
        }
        quiz.reveal(beat, &f, self.settings);
        let revealed: Vec<_> = quiz.verdicts_at(beat).cloned().collect();
        for v in &revealed {
            let p = quiz.question(v.question).unwrap();
            let at = format!("verdict of `{}` at beat {beat}", p.fact);
            self.said(&at, &p.why, &f);
            if v.decision.value.is_none() {
                self.problems
                    .push(format!("{at}: the run has no value yet"));
            } else if v.decision.right.is_none() {
                self.problems.push(format!(
                    "{at}: no choice is right for the run's value {:?}",
                    v.decision.value
                ));
            }
        }
        let mut pacer = Pacer::new(Pace::Free, quiz_beats(self.lesson));
        pacer.reached(beat, quiz);
        self.draw(&format!("beat {beat}"), session, &pacer, quiz);
    }

    /// The step-mode task while the run goes on, and at its end what it
    /// says of the run.
    pub fn turn(&mut self, model: &Model, finished: bool) {
        let Some(turn) = &self.lesson.manifest.turn else {
            return;
        };
        let f = facts(model, &self.lesson.manifest.watch);
        let env = Env::new(self.settings, &f);
        let said = match (finished, turn.is_done(&env)) {
            (false, _) => &turn.task,
            (true, true) => &turn.done,
            (true, false) => &turn.not_yet,
        };
        let at = if finished { "turn at the end" } else { "turn" };
        self.said(at, said, &f);
    }

    /// One text as this run says it, in both languages.
    fn said(&mut self, at: &str, said: &Said, f: &Facts) {
        let env = Env::new(self.settings, f);
        for case in &said.cases {
            match env.holds(&case.guard) {
                None => self.problems.push(format!(
                    "{at}: `if = \"{}\"` names a fact the run has not produced yet",
                    case.guard
                )),
                Some(true) => break,
                Some(false) => {}
            }
        }
        let text = said.pick(&env);
        for lang in [Lang::En, Lang::Zh] {
            let words = text.get(lang);
            let shown = env.fill(words);
            let at = format!("{at} ({lang:?}) «{shown}»");
            for problem in self.words(words, &shown, &env) {
                self.problems.push(format!("{at}: {problem}"));
            }
        }
    }

    fn words(&self, written: &str, shown: &str, env: &Env) -> Vec<String> {
        let mut problems = Vec::new();
        if shown.trim().is_empty() {
            problems.push("says nothing".into());
        }
        for name in placeholders(shown) {
            problems.push(format!("`{{{name}}}` is not filled"));
        }
        for name in placeholders(written) {
            let param = self.lesson.param(name).is_some();
            if !param && env.value(name).is_none() {
                problems.push(format!("`{{{name}}}`: the run has not produced it yet"));
            }
            let twin = env.facts.get(format!("job_{name}").as_str());
            if let (true, Some(real)) = (param, twin) {
                let set = env.value(name).unwrap_or_default();
                if *real != set {
                    problems.push(format!(
                        "`{{{name}}}` says {set}, the run's job used {real} (`{{job_{name}}}`)"
                    ));
                }
            }
        }
        problems.extend(false_claims(
            shown,
            &self.lesson.manifest.params,
            self.settings,
        ));
        problems
    }

    /// Draw the screen with the narration at `pacer`'s beat; the panel
    /// must show every line whole.
    fn draw(&mut self, at: &str, session: &Session, pacer: &Pacer, quiz: &Quiz) {
        let m = &self.lesson.manifest;
        for lang in [Lang::En, Lang::Zh] {
            for &(w, h, big) in SCREENS {
                let ui_state = UiState {
                    big,
                    ..UiState::new(1.0)
                };
                let mut view = View::new(
                    &session.model,
                    &ui_state,
                    Theme::new(ThemeName::Default, false),
                    &[],
                    self.lesson.slug(),
                );
                let mut lesson = LessonView::new(&session.narration, lang, self.settings, &m.watch);
                lesson.pacer = Some(pacer);
                lesson.quiz = Some(quiz);
                view.lesson = Some(lesson);
                let expected = ui::narration::texts(&view);
                let area = ui::layout(Rect::new(0, 0, w, h), &view).narration;
                let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
                terminal
                    .draw(|f| {
                        ui::draw(f, &view);
                    })
                    .unwrap();
                let size = if big {
                    format!("{w}x{h} big")
                } else {
                    format!("{w}x{h}")
                };
                if let Some(cut) = cut_text(terminal.backend().buffer(), area, &expected) {
                    self.problems
                        .push(format!("{at} ({lang:?}, {size}): the panel cuts «{cut}»"));
                }
            }
        }
    }
}

fn quiz_beats(lesson: &Lesson) -> usize {
    lesson.manifest.beats.len()
}
