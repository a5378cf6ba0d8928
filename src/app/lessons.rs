//! The lesson side of the screen: lesson commands switch lessons, variants
//! and language; the parameter editor edits the next run's values; without
//! a usable Python a lesson plays its bundled recording instead.

use super::{App, Exit, Window, NO_PYTHON};
use crate::keys::Command;
use crate::lesson::LessonSession;
use crate::replay::Replay;
use crate::runtime::Run;
use crate::session::{Feed, Session};
use crate::ui::editor::EditorOutcome;
use crate::ui::EditorState;

impl App {
    /// Keys of the parameter editor (Mode::Editor).
    pub(super) fn editor_command(&mut self, command: Command) -> Option<Exit> {
        if command == Command::Quit {
            return Some(Exit::Quit);
        }
        let (Window::Editor(editor), Some(lesson)) = (&mut self.window, &self.lesson) else {
            return None;
        };
        match editor.apply(lesson.lesson(), command) {
            EditorOutcome::Editing => {}
            EditorOutcome::Cancel => self.window = Window::None,
            EditorOutcome::Apply(values) => {
                self.window = Window::None;
                self.switch_lesson(move |l| {
                    l.settings = values;
                    l.variant = None;
                    None
                });
            }
        }
        None
    }

    /// Lesson keys on a live (or fallback) lesson screen.
    pub(super) fn lesson_command(&mut self, command: Command) {
        if let Command::Answer(n) = command {
            if self.digits_step() {
                return self.step_command(Command::StepNth(n));
            }
        }
        if matches!(
            command,
            Command::BeatNext | Command::BeatBack | Command::TogglePace | Command::Answer(_)
        ) {
            return self.pace_command(command);
        }
        let Some(lesson) = self.lesson.as_mut() else {
            self.ui.message = Some("that key is for lessons and replays".into());
            return;
        };
        match command {
            Command::NextLesson => self.switch_lesson(|l| {
                l.step_lesson(true);
                None
            }),
            Command::PrevLesson => self.switch_lesson(|l| {
                l.step_lesson(false);
                None
            }),
            Command::EditParams => {
                let editor = EditorState::new(lesson.lesson(), lesson.settings.clone());
                self.window = Window::Editor(editor);
            }
            Command::NextVariant if lesson.lesson().manifest.variants.is_empty() => {
                self.ui.message = Some("this lesson has no variants".into());
            }
            Command::NextVariant => self.switch_lesson(|l| {
                let name = l.next_variant().unwrap_or_default();
                Some(format!("variant: {name}"))
            }),
            Command::ToggleLang => lesson.lang = lesson.lang.toggled(),
            Command::OpenPicker => self.window = Window::Picker(lesson.index),
            Command::Repeat => self.start_repeats(),
            _ => self.ui.message = Some("that key is for replays".into()),
        }
    }

    /// Change the lesson session with `change`, then run it afresh (once
    /// the old run is stopped), showing the note `change` returns.
    pub(super) fn switch_lesson(
        &mut self,
        change: impl FnOnce(&mut LessonSession) -> Option<String> + 'static,
    ) {
        self.after_stop(move |app| {
            let note = app.lesson.as_mut().and_then(change);
            match app.start_lesson() {
                Ok(()) if note.is_some() => app.ui.message = note,
                Ok(()) => {}
                Err(e) => app.ui.message = Some(e),
            }
            // An "explore every order" variant also explores (as `x` does).
            if app.lesson.as_ref().is_some_and(|l| l.variant_explores()) {
                app.start_exploring();
            }
            Ok(())
        });
    }

    /// Start the lesson's run with its current values.
    pub(super) fn start_lesson(&mut self) -> Result<(), String> {
        let Some(lesson) = self.lesson.as_mut() else {
            return Ok(());
        };
        self.title = lesson.title();
        self.ui.restarted();
        let beats = lesson.lesson().manifest.beats.clone();
        let Some(mut config) = lesson.config()? else {
            return self.show_bundled_recording();
        };
        config.slow = self.ui.slow;
        self.steps.variant = lesson.variant_schedule()?;
        config.step = self.run_step();
        self.source = super::read_source(&config.script);
        let run = Run::start(&config).map_err(|e| format!("cannot start the lesson: {e}"))?;
        self.session
            .restart(Feed::Live(run), beats)
            .map_err(|e| e.to_string())?;
        self.arm_scheduler();
        self.reset_pace();
        // Only the questions this run's parameters ask (their `if`).
        if let Some(lesson) = &self.lesson {
            self.quiz.keep_asked(&lesson.settings);
        }
        self.describe_recording();
        Ok(())
    }

    /// A restarted recording describes the lesson run it now holds.
    fn describe_recording(&mut self) {
        let (Some(rec), Some(lesson)) = (self.session.recorder.as_mut(), &self.lesson) else {
            return;
        };
        let meta = rec.meta_mut();
        meta.title = lesson.title();
        meta.lesson = Some(lesson.lesson().slug().to_string());
        meta.params = lesson.settings.to_params();
        meta.source = lesson.lesson().script.clone();
    }

    /// Without a usable Python: the lesson's bundled recording, saying so.
    pub(super) fn show_bundled_recording(&mut self) -> Result<(), String> {
        let Some(lesson) = self.lesson.as_ref() else {
            return Ok(());
        };
        let l = lesson.lesson();
        let events = crate::lesson::bundled_recording(l.slug())
            .ok_or_else(|| format!("no usable Python, and no recording of {} to show", l.slug()))?;
        self.source = crate::ui::source_lines(&l.script);
        self.title = format!("recording · {}", lesson.title());
        let mut session = Session::replay(Replay::new(events, l.manifest.beats.clone()));
        if let Some(player) = session.player_mut() {
            player.watch = l.manifest.watch.clone();
            player.settings = l.recorded(&player.replay.meta.params);
            player.lang = lesson.lang;
        }
        session.recorder = self.session.recorder.take();
        self.session = session;
        self.ui.message = Some(NO_PYTHON.to_string());
        Ok(())
    }
}
