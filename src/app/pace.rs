//! A lesson's pace on the live screen. The pacer (pure, lesson::pacer)
//! decides when the run holds for a beat or a question; this file stops
//! and continues the processes (as space does: SIGSTOP / SIGCONT of the
//! group), keeps the autoplay timer, takes answers and reveals each
//! question's verdict when its beat is shown.

use std::time::Instant;

use super::App;
use crate::keys::Command;
use crate::lesson::facts::facts;
use crate::lesson::{Go, Pace, Pacer, Quiz};
use crate::model::RunState;

impl App {
    /// A new run of the lesson: its pacer starts before the first beat,
    /// its questions unanswered (none with `--no-predict`).
    pub(super) fn reset_pace(&mut self) {
        let Some(lesson) = &self.lesson else { return };
        let manifest = &lesson.lesson().manifest;
        let beats = manifest.beats.len();
        let mut pacer = Pacer::new(self.pacer.pace, beats);
        pacer.auto = self.autoplay.is_some();
        self.pacer = pacer;
        let questions = match self.predict {
            true => manifest.predictions.clone(),
            false => Vec::new(),
        };
        self.quiz = Quiz::new(questions, beats);
        self.resume_at = None;
    }

    /// Pacing applies to a lesson's live run (not to recordings).
    fn is_paced(&self) -> bool {
        self.lesson.is_some() && self.session.run().is_some()
    }

    /// Beats the narration reached, as far as the pacer may show them:
    /// none until the main process has announced itself, so the first
    /// beat can name its PID (and the tree shows it) while the run holds.
    fn reached(&self) -> usize {
        let model = &self.session.model;
        let announced = model
            .info
            .root
            .is_some_and(|r| model.procs.get(r).is_some());
        let over = matches!(model.state, RunState::Finished(_));
        if announced || over {
            self.session.narration.reached()
        } else {
            0
        }
    }

    /// After each live event: the pacer sees the beats reached.
    pub(super) fn pace_event(&mut self) {
        if self.is_paced() {
            let go = self.pacer.reached(self.reached(), &self.quiz);
            self.carry_out(go);
        }
    }

    /// Space on a held run goes on, as → does.
    pub(super) fn is_held(&self) -> bool {
        self.is_paced() && self.pacer.is_held()
    }

    /// →, ←, `b` and the answer keys on a lesson's live screen.
    pub(super) fn pace_command(&mut self, command: Command) {
        if !self.is_paced() {
            self.ui.message = Some("that key is for a lesson's live run".into());
            return;
        }
        let reached = self.reached();
        let go = match command {
            Command::BeatNext if !self.pacer.is_held() && !self.pacer.is_looking_back() => {
                self.ui.message = Some(match self.pacer.pace {
                    Pace::Beats => "the run goes on to the next beat by itself".into(),
                    Pace::Free => "free pace: b holds the run at every beat".into(),
                });
                Go::Stay
            }
            Command::BeatNext => self.pacer.next(reached, &mut self.quiz),
            Command::BeatBack => {
                self.pacer.back();
                Go::Stay
            }
            Command::TogglePace => {
                let pace = match self.pacer.pace {
                    Pace::Beats => Pace::Free,
                    Pace::Free => Pace::Beats,
                };
                self.ui.message = Some(match pace {
                    Pace::Beats => "beat by beat: the run holds at every beat (→ goes on)".into(),
                    Pace::Free => "free pace: the run holds only for questions".into(),
                });
                self.pacer.set_pace(pace, reached, &mut self.quiz)
            }
            Command::Answer(n) => {
                match self.pacer.answer(usize::from(n), reached, &mut self.quiz) {
                    Ok(go) => go,
                    Err(e) => {
                        self.ui.message = Some(e);
                        Go::Stay
                    }
                }
            }
            _ => Go::Stay,
        };
        self.carry_out(go);
    }

    /// Autoplay's timer: the held beat goes on by itself.
    pub(super) fn autoplay_due(&mut self) {
        self.resume_at = None;
        if self.is_held() {
            let go = self.pacer.next(self.reached(), &mut self.quiz);
            self.carry_out(go);
        }
    }

    /// Hold or release the run as the pacer said, and reveal what the
    /// beat now shown reveals.
    fn carry_out(&mut self, go: Go) {
        self.reveal();
        let finished = matches!(self.session.model.state, RunState::Finished(_));
        let Some(run) = self.session.run_mut() else {
            return;
        };
        match go {
            Go::Hold if !finished && !run.poll_finished() => run.pause(),
            Go::Release => run.resume(),
            _ => {}
        }
        // Autoplay: every beat newly held is shown for the whole hold.
        self.resume_at = match self.autoplay {
            Some(hold) if self.pacer.is_held() => match (go, self.resume_at) {
                (Go::Stay, Some(at)) => Some(at),
                _ => Some(Instant::now() + hold),
            },
            _ => None,
        };
    }

    /// Decide the questions whose reveal beat is now shown, with the run's
    /// facts as they are now.
    fn reveal(&mut self) {
        let Some(lesson) = &self.lesson else { return };
        if self.quiz.is_empty() || self.quiz.is_over() {
            return;
        }
        let f = facts(&self.session.model, &lesson.lesson().manifest.watch);
        self.quiz.reveal(self.pacer.current(), &f, &lesson.settings);
    }
}
