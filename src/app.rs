//! The live screen's loop: one thread reads the terminal, the run's threads
//! send events; the loop selects over input, events, signals and (only
//! while a redraw is pending) a frame timer. It folds events into the
//! model, redraws at most ~30 times a second and only when something
//! changed, so a paused or finished run costs no CPU.

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{after, never, select, unbounded, Receiver};
use crossterm::event::{
    self as term, DisableMouseCapture, EnableMouseCapture, Event as TermEvent, KeyCode, KeyEvent,
    KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use crossterm::execute;
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
use crate::ui::editor::EditorOutcome;
use crate::ui::{
    self, EditorState, Effect, LessonView, Overlay, Progress, Theme, ThemeName, UiState, View,
};

/// The shortest time between two frames (~30 fps).
const FRAME: Duration = Duration::from_millis(33);
/// Events folded per loop turn at most, so input stays responsive under a flood.
const MAX_BURST: usize = 20_000;
/// How often the input thread checks whether it should stop.
const INPUT_POLL: Duration = Duration::from_millis(250);
/// Exit status after quitting while the script still ran (as for Ctrl-C).
const QUIT_WHILE_RUNNING: i32 = 130;
/// What the status bar says while a bundled recording stands in for a run.
pub const NO_PYTHON: &str = "no usable Python 3.8+ found: showing a recorded run of this lesson";
/// Set (to anything) to make `!` panic: lets an end-to-end test prove that a
/// panic restores the terminal and leaves no process behind.
const TEST_PANIC_ENV: &str = "FORKLORE_TEST_PANIC_KEY";

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

/// A recording played back at its recorded pace (times `speed`).
struct Player {
    replay: Replay,
    watch: Vec<String>,
    settings: Settings,
    playing: bool,
    speed: f64,
    /// Wall time and recorded time that coincide while playing.
    anchor: Option<(Instant, u64)>,
}

impl Player {
    /// When the next event is due, if playing.
    fn due(&mut self) -> Option<Instant> {
        if !self.playing || self.replay.at_end() {
            return None;
        }
        let (wall, t) = *self
            .anchor
            .get_or_insert((Instant::now(), self.replay.t_at(self.replay.pos())));
        let ahead = self.replay.t_at(self.replay.pos()).saturating_sub(t) as f64 / self.speed;
        Some(wall + Duration::from_nanos(ahead as u64))
    }

    fn set_playing(&mut self, playing: bool) {
        self.playing = playing && !self.replay.at_end();
        self.anchor = None;
    }

    fn seek(&mut self, pos: usize) {
        self.replay.seek(pos);
        self.anchor = None;
    }

    fn progress(&self) -> Progress {
        let t0 = self.replay.start_t();
        let secs = |t: u64| t.saturating_sub(t0) as f64 / 1e9;
        let pos = self.replay.pos();
        Progress {
            pos,
            len: self.replay.len(),
            elapsed_s: if pos == 0 {
                0.0
            } else {
                secs(self.replay.t_at(pos - 1))
            },
            total_s: secs(self.replay.t_at(self.replay.len())),
            playing: self.playing,
            speed: self.speed,
        }
    }
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
            Start::Replay { replay, watch } => {
                app.source = replay
                    .meta
                    .source
                    .lines()
                    .map(|l| l.replace('\t', "    "))
                    .collect();
                app.title = format!("replay · {}", replay.meta.title);
                let settings = Settings(
                    replay
                        .meta
                        .params
                        .iter()
                        .map(|(k, v)| (k.clone(), toml::Value::String(v.clone())))
                        .collect(),
                );
                app.feed = Feed::Replay(Box::new(Player {
                    replay: *replay,
                    watch,
                    settings,
                    playing: true,
                    speed: 1.0,
                    anchor: None,
                }));
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
                lang: self
                    .lesson
                    .as_ref()
                    .map_or(crate::lesson::Lang::from_env(), |l| l.lang),
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
        if run.poll_finished() || self.model.state == RunState::Finished(0) {
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

    /// Keys while the picker or the parameter editor is open.
    fn modal_key(
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
    fn app_action(&mut self, action: Action, terminal: &mut DefaultTerminal) -> io::Result<()> {
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
    fn switch_lesson(
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
    fn start_lesson(&mut self) -> Result<(), String> {
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
    fn show_bundled_recording(&mut self) -> Result<(), String> {
        let Some(lesson) = self.lesson.as_ref() else {
            return Ok(());
        };
        let l = lesson.lesson();
        let events = crate::lesson::bundled_recording(l.slug())
            .ok_or_else(|| format!("no usable Python, and no recording of {} to show", l.slug()))?;
        let replay = Replay::new(events, l.manifest.beats.clone());
        self.source = l
            .script
            .lines()
            .map(|line| line.replace('\t', "    "))
            .collect();
        self.title = format!("recording · {}", lesson.title());
        let settings = lesson.lesson().defaults();
        let watch = l.manifest.watch.clone();
        self.feed = Feed::Replay(Box::new(Player {
            replay,
            watch,
            settings,
            playing: true,
            speed: 1.0,
            anchor: None,
        }));
        self.ui.message = Some(NO_PYTHON.to_string());
        Ok(())
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
                meta.params = lesson
                    .settings
                    .0
                    .keys()
                    .filter_map(|k| Some((k.clone(), lesson.settings.text(k)?)))
                    .collect();
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

/// Replay keys: stepping pauses; seeking keeps playing or paused as it was.
fn replay_action(player: &mut Player, action: Action, ui: &mut UiState) {
    let len = player.replay.len();
    let pos = player.replay.pos();
    let tenth = (len / 10).max(1);
    match action {
        Action::StepForward => {
            player.set_playing(false);
            player.replay.step();
        }
        Action::StepBack => {
            player.set_playing(false);
            player.seek(pos.saturating_sub(1));
        }
        Action::NextBeat => match player.replay.next_beat() {
            Some(p) => player.seek(p),
            None => ui.message = Some("no narration beat after this point".into()),
        },
        Action::PrevBeat => {
            let p = player.replay.prev_beat();
            player.seek(p);
        }
        Action::SeekForward => player.seek((pos + tenth).min(len)),
        Action::SeekBack => player.seek(pos.saturating_sub(tenth)),
        Action::SpeedUp => player.speed = (player.speed * 2.0).min(64.0),
        Action::SpeedDown => player.speed = (player.speed / 2.0).max(1.0 / 64.0),
        _ => ui.message = Some("that key is for lessons".into()),
    }
}

/// The hidden panic key for end-to-end tests (see [`TEST_PANIC_ENV`]).
fn test_panic(key: &KeyEvent) {
    if key.code == KeyCode::Char('!') && std::env::var_os(TEST_PANIC_ENV).is_some() {
        panic!("test panic requested with '!' ({TEST_PANIC_ENV} is set)");
    }
}

/// The script's lines for the code pane; tabs expanded (a terminal cell
/// cannot hold one).
fn read_source(path: &Path) -> Vec<String> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes)
            .lines()
            .map(|l| l.replace('\t', "    "))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The terminal in raw mode on the alternate screen with mouse reporting;
/// restored when dropped, and by the panic hook on a panic.
struct Screen {
    terminal: DefaultTerminal,
}

impl Screen {
    fn enter() -> io::Result<Self> {
        // ratatui::init's hook restores the terminal and chains to the
        // hooks installed before (main's child-killing hook, color-eyre).
        let terminal = ratatui::init();
        chain_mouse_release_hook();
        execute!(io::stdout(), EnableMouseCapture)?;
        Ok(Screen { terminal })
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = execute!(io::stdout(), DisableMouseCapture);
        ratatui::restore();
    }
}

/// ratatui's panic hook does not know about mouse capture: turn it off
/// first, then let the chain restore the rest.
fn chain_mouse_release_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(io::stdout(), DisableMouseCapture);
        previous(info);
    }));
}

/// The terminal reader thread. It polls with a timeout rather than blocking
/// in `read`, so it can be told to stop and does not keep reading the
/// terminal after the screen is restored.
struct Input {
    events: Receiver<TermEvent>,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Input {
    fn spawn() -> Self {
        let (tx, events) = unbounded();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match term::poll(INPUT_POLL) {
                    Ok(true) => {
                        let sent = term::read().map(|event| tx.send(event));
                        if !matches!(sent, Ok(Ok(()))) {
                            return;
                        }
                    }
                    Ok(false) => {}
                    Err(_) => return,
                }
            }
        });
        Input {
            events,
            stop,
            thread,
        }
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
    }
}
