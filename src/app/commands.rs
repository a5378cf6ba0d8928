//! Carrying out what the user asked for: a key or a click becomes a
//! [`Command`] (decided by `keys::dispatch`, which is pure), and this file
//! does it. Work that stops the live run is deferred one frame, so the
//! screen can say "stopping every process…" first.

use std::io;

use crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Position;

use super::{App, Exit, Window};
use crate::keys::{dispatch, Command, Mode};
use crate::model::RunState;
use crate::runtime::reaper::shell_status;
use crate::runtime::{Run, RunConfig};
use crate::session::Feed;
use crate::ui::{self, Effect};

/// Exit status after quitting while the script still ran (as for Ctrl-C).
const QUIT_WHILE_RUNNING: i32 = 130;
/// Set (to anything) to make `!` panic: lets an end-to-end test prove that a
/// panic restores the terminal and leaves no process behind.
const TEST_PANIC_ENV: &str = "FORKLORE_TEST_PANIC_KEY";

impl App {
    pub(super) fn on_input(&mut self, event: TermEvent) -> Option<Exit> {
        let command = match event {
            TermEvent::Key(key) if key.kind != KeyEventKind::Release => {
                test_panic(&key);
                dispatch(self.mode(), &key)
            }
            TermEvent::Mouse(mouse) => self.mouse_command(mouse),
            _ => None,
        }?;
        self.execute(command)
    }

    /// A left click on a process row focuses it; the wheel over the output
    /// scrolls it.
    fn mouse_command(&self, mouse: MouseEvent) -> Option<Command> {
        if self.mode() != self.screen_mode() {
            return None;
        }
        let panes = self.panes?;
        let at = Position::new(mouse.column, mouse.row);
        match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                ui::procs::pid_at(&self.view(), panes.procs, mouse.column, mouse.row)
                    .map(Command::Select)
            }
            MouseEventKind::ScrollUp if panes.output.contains(at) => Some(Command::ScrollOutputUp),
            MouseEventKind::ScrollDown if panes.output.contains(at) => {
                Some(Command::ScrollOutputDown)
            }
            _ => None,
        }
    }

    /// Which keys apply now.
    pub(super) fn mode(&self) -> Mode {
        match (&self.window, self.ui.show_help) {
            (_, true) => Mode::Help,
            (Window::Picker(_), _) if self.lesson.is_some() => Mode::Picker,
            (Window::Editor(_), _) if self.lesson.is_some() => Mode::Editor,
            (Window::Histogram, _) if self.repeats.is_some() => Mode::Histogram,
            (Window::Explore, _) if self.exploring.is_some() => Mode::Explore,
            _ => self.screen_mode(),
        }
    }

    /// The screen under any window: a replay, a lesson or a script's run.
    pub(super) fn screen_mode(&self) -> Mode {
        match (&self.session.feed, &self.lesson) {
            (crate::session::Feed::Replay(_), _) => Mode::Replay,
            (_, Some(_)) => Mode::Lesson,
            _ => Mode::Run,
        }
    }

    /// Do `command`. Returns why the loop must end, if it must.
    pub(super) fn execute(&mut self, command: Command) -> Option<Exit> {
        match self.mode() {
            Mode::Picker => return self.picker_command(command),
            Mode::Editor => return self.editor_command(command),
            Mode::Histogram => return self.histogram_command(command),
            Mode::Explore => return self.explore_command(command),
            _ => {}
        }
        let stepping = self.session.model.steps.on && self.session.run().is_some();
        match command {
            Command::Explore => {
                self.start_exploring();
                return None;
            }
            Command::ToggleStep
            | Command::StepFocused
            | Command::StepNth(_)
            | Command::RunFree
            | Command::Undo => {
                self.step_command(command);
                return None;
            }
            // In step mode a click on a process lets it go.
            Command::Select(_) if stepping => {
                self.step_command(command);
                return None;
            }
            _ => {}
        }
        match self.ui.apply(command, &self.session.model) {
            Effect::None => {}
            Effect::Quit => return Some(Exit::Quit),
            Effect::TogglePause => self.toggle_pause(),
            Effect::Restart => self.restart(),
            Effect::App(command) if self.session.player().is_some() => self.replay_command(command),
            Effect::App(command) => self.lesson_command(command),
        }
        None
    }

    fn toggle_pause(&mut self) {
        if self.is_held() {
            // Held at a beat or a question: space goes on, as → does.
            return self.pace_command(Command::BeatNext);
        }
        self.resume_at = None;
        match &mut self.session.feed {
            Feed::Live(run) => {
                if run.poll_finished() {
                    self.ui.message = Some("the script has ended: r runs it again".to_string());
                } else if run.is_paused() {
                    run.resume();
                } else {
                    run.pause();
                }
            }
            Feed::Replay(_) => self.toggle_playing(),
            Feed::Idle => {}
        }
    }

    /// Stop the old run completely (every process reaped), then start the
    /// script again with a fresh model and the chosen speed.
    pub(super) fn restart(&mut self) {
        if self.session.player().is_some() {
            self.replay_from_start();
        } else if self.lesson.is_some() {
            self.switch_lesson(|_| None);
        } else if let Some(config) = self.script.clone() {
            self.after_stop(move |app| app.start_script(config));
        }
    }

    fn start_script(&mut self, config: RunConfig) -> io::Result<()> {
        let config = RunConfig {
            slow: self.ui.slow,
            step: self.run_step(),
            ..config
        };
        match Run::start(&config) {
            Ok(run) => {
                // The teacher may have edited the script between runs.
                self.source = super::read_source(&config.script);
                self.session.restart(Feed::Live(run), Vec::new())?;
                self.arm_scheduler();
                self.script = Some(config);
                self.ui.restarted();
            }
            Err(e) => self.ui.message = Some(format!("cannot restart: {e}")),
        }
        Ok(())
    }

    /// Do `then` once the live run is stopped: if one runs, the next frame
    /// first says so (stopping can take the grace period).
    pub(super) fn after_stop(&mut self, then: impl FnOnce(&mut App) -> io::Result<()> + 'static) {
        self.resume_at = None;
        let running = self.session.run_mut().is_some_and(|r| !r.poll_finished());
        if running {
            self.ui.message = Some("stopping every process…".to_string());
        }
        self.deferred = Some(Box::new(move |app: &mut App| {
            app.session.stop()?;
            app.ui.message = None;
            then(app)
        }));
    }

    /// Stop the run, keep what it still said, and pick the exit status.
    pub(super) fn shut_down(&mut self, exit: Exit) -> io::Result<i32> {
        let finished_before = match self.session.model.state {
            RunState::Finished(code) => Some(code),
            _ => None,
        };
        let live = self.session.run().is_some();
        // Every run of a batch going on is stopped and reaped too.
        self.repeats = None;
        if let Some(exploring) = self.exploring.take() {
            exploring.stop();
        }
        let stopped = self.session.stop();
        if let Some(rec) = self.session.recorder.as_mut() {
            rec.flush()?;
        }
        stopped?;
        match (exit, finished_before) {
            (Exit::Failed(e), _) => Err(e),
            (Exit::Signal(sig), _) => Ok(128 + sig),
            // As a hangup would have it.
            (Exit::TerminalGone, _) => Ok(128 + nix::sys::signal::Signal::SIGHUP as i32),
            (Exit::Quit, _) if !live => Ok(0),
            (Exit::Quit, Some(code)) => Ok(shell_status(code)),
            (Exit::Quit, None) => Ok(QUIT_WHILE_RUNNING),
        }
    }

    /// Keys of the lesson picker (Mode::Picker).
    fn picker_command(&mut self, command: Command) -> Option<Exit> {
        let Window::Picker(selected) = &mut self.window else {
            return None;
        };
        let lesson = self.lesson.as_mut()?;
        let catalog = &lesson.catalog;
        match command {
            Command::Quit => return Some(Exit::Quit),
            // Up and down follow the list as drawn (grouped by theme).
            Command::PickerUp => *selected = catalog.picker_step(*selected, false),
            Command::PickerDown => *selected = catalog.picker_step(*selected, true),
            Command::PickerJump(i) => {
                if let Some(index) = catalog.with_number(u32::from(i)) {
                    *selected = index;
                }
            }
            Command::ToggleLang => lesson.lang = lesson.lang.toggled(),
            Command::Close if !matches!(self.session.feed, Feed::Idle) => {
                self.window = Window::None
            }
            Command::PickerChoose => {
                let index = *selected;
                self.window = Window::None;
                self.switch_lesson(move |l| {
                    l.select(index);
                    None
                });
            }
            _ => {}
        }
        None
    }
}

/// The hidden panic key for end-to-end tests (see [`TEST_PANIC_ENV`]).
fn test_panic(key: &KeyEvent) {
    if key.code == KeyCode::Char('!') && std::env::var_os(TEST_PANIC_ENV).is_some() {
        panic!("test panic requested with '!' ({TEST_PANIC_ENV} is set)");
    }
}
