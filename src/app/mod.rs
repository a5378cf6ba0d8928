//! The live screen's loop: one thread reads the terminal, the run's threads
//! send events; the loop selects over input, events, signals and (only
//! while a redraw is pending) a frame timer. It folds events into the
//! model, redraws at most ~30 times a second and only when something
//! changed, so a paused or finished run costs no CPU.

use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use crossbeam_channel::{after, never, select, Receiver};
use crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};
use ratatui::DefaultTerminal;

use crate::action::{action_for, Action};
use crate::lesson::{LessonSession, Settings};
use crate::model::{Model, RunState};
use crate::protocol::Event;
use crate::record::Recorder;
use crate::replay::Replay;
use crate::runtime::reaper::shell_status;
use crate::runtime::{Run, RunConfig};
use crate::ui::{self, EditorState, Effect, LessonView, Overlay, Theme, ThemeName, UiState, View};

/// The shortest time between two frames (~30 fps).
const FRAME: Duration = Duration::from_millis(33);
/// Events folded per loop turn at most, so input stays responsive under a flood.
const MAX_BURST: usize = 20_000;
/// Exit status after quitting while the script still ran (as for Ctrl-C).
const QUIT_WHILE_RUNNING: i32 = 130;
/// What the status bar says while a bundled recording stands in for a run.
pub const NO_PYTHON: &str = "no usable Python 3.8+ found: showing a recorded run of this lesson";
/// Set (to anything) to make `!` panic: lets an end-to-end test prove that a
/// panic restores the terminal and leaves no process behind.
const TEST_PANIC_ENV: &str = "FORKLORE_TEST_PANIC_KEY";

mod lessons;
mod player;
mod terminal;

use player::Player;
use terminal::{Input, Screen};

pub struct TuiOptions {
    /// The lesson or script name for the header.
    pub title: String,
    pub theme: ThemeName,
    /// Records the events of the run on screen; a restart starts the file
    /// over, so it always holds the latest run.
    pub recorder: Option<Recorder>,
    /// Lessons: pause the processes at each narration beat for this long,
    /// then go on by themselves (a walkthrough in one take).
    pub autoplay: Option<Duration>,
}

/// What the screen shows.
pub enum Start {
    /// Any script (`forklore run`).
    Script(RunConfig),
    /// A lesson (`forklore lesson`), or the picker first (`forklore`).
    Lesson {
        session: Box<LessonSession>,
        picker: bool,
    },
    /// A recording (`forklore replay`), with its lesson's narration if any.
    Replay {
        replay: Box<Replay>,
        watch: Vec<String>,
        lang: crate::lesson::Lang,
    },
}

/// Run the live screen until the user quits or a signal (SIGINT/SIGTERM/
/// SIGHUP, from `signals`) arrives. Returns the shell exit status to use:
/// the script's (128+N if killed by N) when it had finished, 130 when quit
/// while it still ran, 128+sig after a signal.
pub fn run_tui(start: Start, opts: TuiOptions, signals: &Receiver<i32>) -> io::Result<i32> {
    let mut app = App::new(start, opts)?;
    let input = Input::spawn();
    let mut screen = Screen::enter()?;
    let result = app.run_loop(&mut screen.terminal, &input.events, signals);
    drop(screen);
    input.stop();
    result
}

/// Where events come from.
enum Feed {
    /// Nothing runs (the lesson picker before the first lesson).
    Idle,
    Live(Run),
    Replay(Box<Player>),
}

/// A window that takes the keys first.
enum Mode {
    Normal,
    Picker(usize),
    Editor(EditorState),
}

struct App {
    feed: Feed,
    /// The script run by `forklore run` (lessons make theirs).
    script: Option<RunConfig>,
    lesson: Option<LessonSession>,
    model: Model,
    ui: UiState,
    mode: Mode,
    recorder: Option<Recorder>,
    source: Vec<String>,
    title: String,
    theme: Theme,
    autoplay: Option<Duration>,
    /// Autoplay: the processes are paused at a beat until then.
    resume_at: Option<Instant>,
}

/// Why the loop ends.
enum Exit {
    Quit,
    Signal(i32),
}

impl App {
    fn new(start: Start, opts: TuiOptions) -> io::Result<App> {
        let mut app = App {
            feed: Feed::Idle,
            script: None,
            lesson: None,
            model: Model::new(),
            ui: UiState::new(1.0),
            mode: Mode::Normal,
            recorder: opts.recorder,
            source: Vec::new(),
            title: opts.title,
            theme: Theme::from_env(opts.theme),
            autoplay: opts.autoplay,
            resume_at: None,
        };
        match start {
            Start::Script(config) => {
                app.ui = UiState::new(config.slow);
                app.source = read_source(&config.script);
                // Started before the screen takes over, so an error prints plainly.
                app.feed =
                    Feed::Live(Run::start(&config).map_err(|e| io::Error::other(e.to_string()))?);
                app.script = Some(config);
            }
            Start::Lesson { session, picker } => {
                let index = session.index;
                app.lesson = Some(*session);
                if picker {
                    app.mode = Mode::Picker(index);
                } else {
                    app.start_lesson().map_err(io::Error::other)?;
                }
            }
            Start::Replay {
                replay,
                watch,
                lang,
            } => {
                app.source = ui::source_lines(&replay.meta.source);
                app.title = format!("replay · {}", replay.meta.title);
                let settings = Settings::from_params(&replay.meta.params);
                let mut player = Player::new(*replay, watch, settings);
                player.lang = lang;
                app.feed = Feed::Replay(Box::new(player));
            }
        }
        Ok(app)
    }

    fn run_loop(
        &mut self,
        terminal: &mut DefaultTerminal,
        input: &Receiver<TermEvent>,
        signals: &Receiver<i32>,
    ) -> io::Result<i32> {
        let mut dirty = true;
        let mut last_frame: Option<Instant> = None;
        loop {
            let wait = last_frame.map_or(Duration::ZERO, |t| FRAME.saturating_sub(t.elapsed()));
            if dirty && wait.is_zero() {
                self.draw(terminal)?;
                dirty = false;
                last_frame = Some(Instant::now());
            }
            // Timers exist only when something is owed: idle means asleep.
            let frame_due = if dirty { after(wait) } else { never() };
            let (events, replay_due) = self.sources();
            let resume_due = self.resume_at.map_or(never(), at_instant);
            let exit = select! {
                recv(input) -> msg => match msg {
                    Ok(event) => self.on_input(event, terminal)?,
                    Err(_) => Some(Exit::Quit),
                },
                recv(events) -> msg => {
                    if let Ok(event) = msg {
                        self.ingest(&event)?;
                        for event in events.try_iter().take(MAX_BURST) {
                            self.ingest(&event)?;
                        }
                    }
                    None
                },
                recv(replay_due) -> _ => {
                    self.play_due();
                    None
                },
                recv(resume_due) -> _ => {
                    self.resume_at = None;
                    if let Feed::Live(run) = &mut self.feed {
                        run.resume();
                    }
                    None
                },
                recv(signals) -> sig => Some(Exit::Signal(sig.unwrap_or(15))),
                recv(frame_due) -> _ => None,
            };
            if let Some(exit) = exit {
                return self.shut_down(exit);
            }
            dirty = true;
        }
    }

    /// The live run's events, and the timer of the next replayed event.
    fn sources(&mut self) -> (Receiver<Event>, Receiver<Instant>) {
        match &mut self.feed {
            Feed::Live(run) => (run.events.clone(), never()),
            Feed::Replay(player) => (never(), player.due().map_or(never(), at_instant)),
            Feed::Idle => (never(), never()),
        }
    }

    /// Apply every replayed event whose time has come.
    fn play_due(&mut self) {
        let Feed::Replay(player) = &mut self.feed else {
            return;
        };
        let now = Instant::now();
        while player.due().is_some_and(|due| due <= now) {
            player.replay.step();
        }
        if player.replay.at_end() {
            player.set_playing(false);
        }
    }

    fn draw(&mut self, terminal: &mut DefaultTerminal) -> io::Result<()> {
        if let Feed::Live(run) = &self.feed {
            self.ui.malformed = run.counters.malformed();
            self.ui.rejected = run.counters.rejected();
        }
        let size = terminal.size()?;
        let panes = ui::layout(Rect::new(0, 0, size.width, size.height), &self.view());
        // PgUp/PgDn move by what the output pane shows (minus its border).
        self.ui.output_page = usize::from(panes.output.height.saturating_sub(3)).max(1);
        let view = self.view();
        terminal.draw(|frame| ui::draw(frame, &view))?;
        Ok(())
    }

    fn view(&self) -> View<'_> {
        let model = match &self.feed {
            Feed::Replay(p) => &p.replay.model,
            _ => &self.model,
        };
        let mut view = View::new(model, &self.ui, self.theme, &self.source, &self.title);
        view.lesson = self.lesson_view();
        view.overlay = match (&self.mode, &self.lesson) {
            (Mode::Picker(selected), Some(l)) => Overlay::Picker {
                catalog: &l.catalog,
                selected: *selected,
                lang: l.lang,
            },
            (Mode::Editor(editor), Some(l)) => Overlay::Editor {
                lesson: l.lesson(),
                editor,
                lang: l.lang,
            },
            _ => Overlay::None,
        };
        if let Feed::Replay(p) = &self.feed {
            view.progress = Some(p.progress());
        }
        view
    }

    fn lesson_view(&self) -> Option<LessonView<'_>> {
        match (&self.feed, &self.lesson) {
            (Feed::Replay(p), _) if !p.replay.narration.beats().is_empty() => Some(LessonView {
                narration: &p.replay.narration,
                lang: p.lang,
                settings: &p.settings,
                watch: &p.watch,
                variant: None,
            }),
            (Feed::Replay(_) | Feed::Idle, _) => None,
            (Feed::Live(_), Some(l)) => Some(LessonView {
                narration: &l.narration,
                lang: l.lang,
                settings: &l.settings,
                watch: &l.lesson().manifest.watch,
                variant: l
                    .variant
                    .map(|i| l.lesson().manifest.variants[i].name.get(l.lang)),
            }),
            _ => None,
        }
    }

    fn ingest(&mut self, event: &Event) -> io::Result<()> {
        if let Some(rec) = self.recorder.as_mut() {
            rec.write(event)?;
        }
        self.model.update(event);
        if let Some(lesson) = self.lesson.as_mut() {
            let before = lesson.narration.reached();
            lesson.observe(event);
            if lesson.narration.reached() > before {
                self.pause_for_beat();
            }
        }
        Ok(())
    }

    /// Autoplay: hold the processes still while a new beat is read.
    fn pause_for_beat(&mut self) {
        let (Some(hold), Feed::Live(run)) = (self.autoplay, &mut self.feed) else {
            return;
        };
        if run.poll_finished() || matches!(self.model.state, RunState::Finished(_)) {
            return;
        }
        run.pause();
        self.resume_at = Some(Instant::now() + hold);
    }

    fn on_input(
        &mut self,
        event: TermEvent,
        terminal: &mut DefaultTerminal,
    ) -> io::Result<Option<Exit>> {
        if let TermEvent::Key(key) = &event {
            if key.kind == KeyEventKind::Release {
                return Ok(None);
            }
            test_panic(key);
            if !matches!(self.mode, Mode::Normal) && !self.ui.show_help {
                return self.modal_key(key, terminal);
            }
        }
        let action = match event {
            TermEvent::Key(key) => action_for(&key),
            TermEvent::Mouse(mouse) => self.mouse_action(mouse, terminal.size()?.into()),
            _ => None,
        };
        let Some(action) = action else {
            return Ok(None);
        };
        let model = match &self.feed {
            Feed::Replay(p) => &p.replay.model,
            _ => &self.model,
        };
        match self.ui.apply(action, model) {
            Effect::None => {}
            Effect::Quit => return Ok(Some(Exit::Quit)),
            Effect::TogglePause => self.toggle_pause(),
            Effect::Restart => self.restart(terminal)?,
            Effect::App(action) => self.app_action(action, terminal)?,
        }
        Ok(None)
    }

    /// A left click on a process row focuses it; the wheel over the output
    /// scrolls it.
    fn mouse_action(&self, mouse: MouseEvent, size: Rect) -> Option<Action> {
        let panes = ui::layout(size, &self.view());
        let at = Position::new(mouse.column, mouse.row);
        match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                ui::procs::pid_at(&self.view(), panes.procs, mouse.column, mouse.row)
                    .map(Action::Select)
            }
            MouseEventKind::ScrollUp if panes.output.contains(at) => Some(Action::ScrollOutputUp),
            MouseEventKind::ScrollDown if panes.output.contains(at) => {
                Some(Action::ScrollOutputDown)
            }
            _ => None,
        }
    }

    fn toggle_pause(&mut self) {
        self.resume_at = None;
        match &mut self.feed {
            Feed::Live(run) => {
                if run.poll_finished() {
                    self.ui.message = Some("the script has ended: r runs it again".to_string());
                } else if run.is_paused() {
                    run.resume();
                } else {
                    run.pause();
                }
            }
            Feed::Replay(player) => {
                if player.replay.at_end() {
                    player.seek(0);
                }
                let playing = !player.playing;
                player.set_playing(playing);
            }
            Feed::Idle => {}
        }
    }

    /// Stop the old run completely (every process reaped), then start the
    /// script again with a fresh model and the chosen speed.
    fn restart(&mut self, terminal: &mut DefaultTerminal) -> io::Result<()> {
        if let Feed::Replay(player) = &mut self.feed {
            player.seek(0);
            player.set_playing(true);
            return Ok(());
        }
        if self.lesson.is_some() {
            return self.switch_lesson(terminal, |_| {});
        }
        let Some(config) = self.script.clone() else {
            return Ok(());
        };
        self.stop_run(terminal)?;
        let config = RunConfig {
            slow: self.ui.slow,
            ..config
        };
        match Run::start(&config) {
            Ok(run) => {
                self.feed = Feed::Live(run);
                self.script = Some(config);
                self.model = Model::new();
                self.ui.restarted();
                // The teacher may have edited the script between runs.
                self.source = read_source(&config_script(&self.script));
                self.restart_recording()?;
            }
            Err(e) => self.ui.message = Some(format!("cannot restart: {e}")),
        }
        Ok(())
    }

    /// Stop the live run (if any) and keep the rest of its recording.
    fn stop_run(&mut self, terminal: &mut DefaultTerminal) -> io::Result<()> {
        self.resume_at = None;
        if !matches!(self.feed, Feed::Live(_)) {
            return Ok(());
        }
        self.ui.message = Some("stopping every process…".to_string());
        self.draw(terminal)?;
        let Feed::Live(run) = &mut self.feed else {
            return Ok(());
        };
        run.stop();
        if let Some(rec) = self.recorder.as_mut() {
            for event in run.events.try_iter() {
                rec.write(&event)?;
            }
            rec.flush()?;
        }
        self.feed = Feed::Idle;
        self.ui.message = None;
        Ok(())
    }

    fn restart_recording(&mut self) -> io::Result<()> {
        if let Some(rec) = self.recorder.take() {
            let mut rec = rec.reopen()?;
            if let Some(lesson) = &self.lesson {
                let meta = rec.meta_mut();
                meta.title = lesson.title();
                meta.lesson = Some(lesson.lesson().slug().to_string());
                meta.params = lesson.settings.to_params();
                meta.source = lesson.lesson().script.clone();
            }
            self.recorder = Some(rec);
        }
        Ok(())
    }

    /// Stop the run, keep what it still said, and pick the exit status.
    fn shut_down(&mut self, exit: Exit) -> io::Result<i32> {
        let finished_before = match self.model.state {
            RunState::Finished(code) => Some(code),
            _ => None,
        };
        if let Feed::Live(run) = &mut self.feed {
            run.stop();
            let rest: Vec<Event> = run.events.try_iter().collect();
            for event in rest {
                self.ingest(&event)?;
            }
        }
        if let Some(rec) = self.recorder.as_mut() {
            rec.flush()?;
        }
        Ok(match (exit, finished_before, &self.feed) {
            (Exit::Signal(sig), _, _) => 128 + sig,
            (Exit::Quit, _, Feed::Replay(_) | Feed::Idle) => 0,
            (Exit::Quit, Some(code), _) => shell_status(code),
            (Exit::Quit, None, _) => QUIT_WHILE_RUNNING,
        })
    }
}

fn config_script(config: &Option<RunConfig>) -> std::path::PathBuf {
    config
        .as_ref()
        .map(|c| c.script.clone())
        .unwrap_or_default()
}

/// A channel that fires once at `at`.
fn at_instant(at: Instant) -> Receiver<Instant> {
    after(at.saturating_duration_since(Instant::now()))
}

/// The hidden panic key for end-to-end tests (see [`TEST_PANIC_ENV`]).
fn test_panic(key: &KeyEvent) {
    if key.code == KeyCode::Char('!') && std::env::var_os(TEST_PANIC_ENV).is_some() {
        panic!("test panic requested with '!' ({TEST_PANIC_ENV} is set)");
    }
}

/// The script's lines for the code pane.
fn read_source(path: &Path) -> Vec<String> {
    match std::fs::read(path) {
        Ok(bytes) => ui::source_lines(&String::from_utf8_lossy(&bytes)),
        Err(_) => Vec::new(),
    }
}
