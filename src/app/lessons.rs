//! The lesson side of the screen: the picker and the parameter editor take
//! the keys while open; lesson keys switch lessons, variants and language;
//! without a usable Python a lesson plays its bundled recording instead.

use std::io;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::DefaultTerminal;

use super::player::replay_action;
use super::{read_source, App, Exit, Feed, Mode, Player, NO_PYTHON};
use crate::action::Action;
use crate::lesson::LessonSession;
use crate::model::Model;
use crate::replay::Replay;
use crate::runtime::Run;
use crate::ui::editor::EditorOutcome;
use crate::ui::EditorState;

impl App {
    /// Keys while the picker or the parameter editor is open.
    pub(super) fn modal_key(
        &mut self,
        key: &KeyEvent,
        terminal: &mut DefaultTerminal,
    ) -> io::Result<Option<Exit>> {
        let Some(lesson) = self.lesson.as_mut() else {
            self.mode = Mode::Normal;
            return Ok(None);
        };
        let quit = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
        match &mut self.mode {
            Mode::Picker(selected) => {
                let n = lesson.catalog.lessons.len().max(1);
                match key.code {
                    _ if quit => return Ok(Some(Exit::Quit)),
                    KeyCode::Char('q') => return Ok(Some(Exit::Quit)),
                    KeyCode::Up | KeyCode::Char('k') => *selected = (*selected + n - 1) % n,
                    KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                        *selected = (*selected + 1) % n
                    }
                    KeyCode::Char('l') => lesson.lang = lesson.lang.toggled(),
                    KeyCode::Esc if !matches!(self.feed, Feed::Idle) => self.mode = Mode::Normal,
                    KeyCode::Enter => {
                        let index = *selected;
                        self.mode = Mode::Normal;
                        self.switch_lesson(terminal, |l| l.select(index))?;
                    }
                    KeyCode::Char(c) if c.is_ascii_digit() => {
                        let i = c.to_digit(10).unwrap_or(0) as usize;
                        if (1..=n).contains(&i) {
                            *selected = i - 1;
                        }
                    }
                    _ => {}
                }
            }
            Mode::Editor(editor) => match editor.key(lesson.lesson(), key.code) {
                _ if quit => return Ok(Some(Exit::Quit)),
                EditorOutcome::Editing => {}
                EditorOutcome::Cancel => self.mode = Mode::Normal,
                EditorOutcome::Apply(values) => {
                    self.mode = Mode::Normal;
                    self.switch_lesson(terminal, move |l| {
                        l.settings = values;
                        l.variant = None;
                    })?;
                }
            },
            Mode::Normal => {}
        }
        Ok(None)
    }

    /// Lesson and replay keys.
    pub(super) fn app_action(
        &mut self,
        action: Action,
        terminal: &mut DefaultTerminal,
    ) -> io::Result<()> {
        if let Feed::Replay(player) = &mut self.feed {
            replay_action(player, action, &mut self.ui);
            return Ok(());
        }
        let Some(lesson) = self.lesson.as_mut() else {
            self.ui.message = Some("that key is for lessons and replays".into());
            return Ok(());
        };
        match action {
            Action::NextLesson => self.switch_lesson(terminal, |l| l.step_lesson(true))?,
            Action::PrevLesson => self.switch_lesson(terminal, |l| l.step_lesson(false))?,
            Action::EditParams => {
                self.mode =
                    Mode::Editor(EditorState::new(lesson.lesson(), lesson.settings.clone()));
            }
            Action::NextVariant => {
                if lesson.lesson().manifest.variants.is_empty() {
                    self.ui.message = Some("this lesson has no variants".into());
                } else {
                    let mut name = String::new();
                    self.switch_lesson(terminal, |l| name = l.next_variant().unwrap_or_default())?;
                    self.ui.message = Some(format!("variant: {name}"));
                }
            }
            Action::ToggleLang => lesson.lang = lesson.lang.toggled(),
            Action::OpenPicker => self.mode = Mode::Picker(lesson.index),
            _ => self.ui.message = Some("that key is for replays".into()),
        }
        Ok(())
    }

    /// Change the lesson session with `change`, then run it afresh.
    pub(super) fn switch_lesson(
        &mut self,
        terminal: &mut DefaultTerminal,
        change: impl FnOnce(&mut LessonSession),
    ) -> io::Result<()> {
        self.stop_run(terminal)?;
        if let Some(lesson) = self.lesson.as_mut() {
            change(lesson);
        }
        if let Err(e) = self.start_lesson() {
            self.ui.message = Some(e);
        }
        Ok(())
    }

    /// Start the lesson's run with its current values.
    pub(super) fn start_lesson(&mut self) -> Result<(), String> {
        let Some(lesson) = self.lesson.as_mut() else {
            return Ok(());
        };
        lesson.restarted();
        self.title = lesson.title();
        self.model = Model::new();
        self.ui.restarted();
        let Some(mut config) = lesson.config()? else {
            return self.show_bundled_recording();
        };
        config.slow = self.ui.slow;
        self.source = read_source(&config.script);
        self.feed =
            Feed::Live(Run::start(&config).map_err(|e| format!("cannot start the lesson: {e}"))?);
        self.restart_recording().map_err(|e| e.to_string())?;
        Ok(())
    }

    /// Without a usable Python: the lesson's bundled recording, saying so.
    pub(super) fn show_bundled_recording(&mut self) -> Result<(), String> {
        let Some(lesson) = self.lesson.as_ref() else {
            return Ok(());
        };
        let l = lesson.lesson();
        let events = crate::lesson::bundled_recording(l.slug())
            .ok_or_else(|| format!("no usable Python, and no recording of {} to show", l.slug()))?;
        let replay = Replay::new(events, l.manifest.beats.clone());
        self.source = crate::ui::source_lines(&l.script);
        self.title = format!("recording · {}", lesson.title());
        let settings = lesson.lesson().defaults();
        let watch = l.manifest.watch.clone();
        let mut player = Player::new(replay, watch, settings);
        player.lang = lesson.lang;
        self.feed = Feed::Replay(Box::new(player));
        self.ui.message = Some(NO_PYTHON.to_string());
        Ok(())
    }
}
