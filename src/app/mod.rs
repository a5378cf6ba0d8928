//! The live screen's loop: one thread reads the terminal, the run's threads
//! send events; the loop selects over input, events, signals and (only
//! while a redraw is pending) a frame timer. Events go into the session;
//! keys become commands (`keys::dispatch`) that `commands.rs` carries out.
//! It redraws at most ~30 times a second and only when something changed,
//! so a paused or finished run costs no CPU.

use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use crossbeam_channel::{after, never, select, Receiver};
use crossterm::event::Event as TermEvent;
use ratatui::DefaultTerminal;

use crate::lesson::{LessonSession, Pace, Pacer, Quiz};
use crate::protocol::Event;
use crate::runtime::{Run, RunConfig};
use crate::session::Session;
use crate::ui::{self, EditorState, Panes, Theme, ThemeName, UiState};

mod commands;
mod deadlock;
mod explorer;
mod lessons;
mod pace;
mod repeats;
mod replay;
mod step;
mod terminal;
mod view;

use terminal::{Input, Screen};

mod options;
pub use options::{SearchSettings, Start, TuiOptions};

/// The shortest time between two frames (~30 fps).
const FRAME: Duration = Duration::from_millis(33);
/// Events folded per loop turn at most, so input stays responsive under a flood.
const MAX_BURST: usize = 20_000;
/// What the status bar says while a bundled recording stands in for a run.
pub const NO_PYTHON: &str = "no usable Python 3.8+ found: showing a recorded run of this lesson";

/// Run the live screen until the user quits or a signal (SIGINT/SIGTERM/
/// SIGHUP, from `signals`) arrives. Returns the shell exit status to use:
/// the script's (128+N if killed by N) when it had finished, 130 when quit
/// while it still ran, 128+sig after a signal.
pub fn run_tui(start: Start, opts: TuiOptions, signals: &Receiver<i32>) -> io::Result<i32> {
    let mut app = App::new(start, opts)?;
    let input = Input::spawn();
    let mut screen = Screen::enter()?;
    let exit = app.run_loop(&mut screen.terminal, &input.events, signals);
    // The run is stopped whatever ended the loop (an error included).
    let status = app.shut_down(exit);
    drop(screen);
    input.stop();
    status
}

/// A window over the screen that takes the keys first.
enum Window {
    None,
    Picker(usize),
    Editor(EditorState),
    /// The lesson run many times (see repeats.rs).
    Histogram,
    /// Every order explored (see explorer.rs).
    Explore,
}

/// Work that stops the live run, done after a frame that says so.
type Deferred = Box<dyn FnOnce(&mut App) -> io::Result<()>>;

struct App {
    session: Session,
    /// The script run by `forklore run` (lessons make theirs).
    script: Option<RunConfig>,
    lesson: Option<LessonSession>,
    ui: UiState,
    window: Window,
    source: Vec<String>,
    title: String,
    theme: Theme,
    autoplay: Option<Duration>,
    /// Autoplay: the processes are held at a beat until then.
    resume_at: Option<Instant>,
    /// The run looks deadlocked: look again then (see deadlock.rs).
    deadlock_at: Option<Instant>,
    /// The lesson run's pace and questions (see pace.rs).
    pacer: Pacer,
    quiz: Quiz,
    predict: bool,
    /// The lesson run many times in the background, and how many `R` asks.
    repeats: Option<repeats::Repeats>,
    repeat_runs: usize,
    /// Where the panels were drawn in the last frame (for mouse clicks).
    panes: Option<Panes>,
    deferred: Option<Deferred>,
    /// How live runs step (see step.rs).
    steps: step::StepOptions,
    /// The program explored in the background (`x`), and how.
    exploring: Option<explorer::Exploring>,
    search: SearchSettings,
}

/// Why the loop ends.
enum Exit {
    Quit,
    Signal(i32),
    /// The terminal went away (a closed window): writing to it failed.
    TerminalGone,
    /// Something else failed (the recording could not be written...).
    Failed(io::Error),
}

impl App {
    fn new(start: Start, opts: TuiOptions) -> io::Result<App> {
        let big = opts.big;
        let mut app = App {
            session: Session::idle(),
            script: None,
            lesson: None,
            ui: UiState {
                big,
                ..UiState::new(1.0)
            },
            window: Window::None,
            source: Vec::new(),
            title: opts.title,
            theme: Theme::from_env(if opts.big {
                ThemeName::HighContrast
            } else {
                opts.theme
            }),
            autoplay: opts.autoplay,
            resume_at: None,
            deadlock_at: None,
            // A walkthrough in one take holds at every beat, for a while.
            pacer: Pacer::new(
                if opts.autoplay.is_some() {
                    Pace::Beats
                } else {
                    opts.pace
                },
                0,
            ),
            quiz: Quiz::default(),
            predict: opts.predict,
            repeats: None,
            repeat_runs: opts.repeat.unwrap_or(repeats::DEFAULT_RUNS),
            panes: None,
            deferred: None,
            steps: step::StepOptions::new(opts.step, opts.schedule.clone()),
            exploring: None,
            search: opts.search.clone(),
        };
        app.session.recorder = opts.recorder;
        match start {
            Start::Script(config) => {
                app.ui = UiState {
                    big,
                    ..UiState::new(config.slow)
                };
                app.source = read_source(&config.script);
                let config = RunConfig {
                    step: app.run_step(),
                    ..config
                };
                // Started before the screen takes over, so an error prints plainly.
                let run = Run::start(&config).map_err(|e| io::Error::other(e.to_string()))?;
                app.session
                    .restart(crate::session::Feed::Live(run), Vec::new())?;
                app.arm_scheduler();
                app.script = Some(config);
            }
            Start::Lesson { session, picker } => {
                let index = session.index;
                app.lesson = Some(*session);
                if picker {
                    app.window = Window::Picker(index);
                } else {
                    app.start_lesson().map_err(io::Error::other)?;
                    if opts.repeat.is_some() {
                        app.start_repeats();
                    }
                }
            }
            Start::Replay {
                replay,
                watch,
                lang,
            } => {
                app.source = ui::source_lines(&replay.meta.source);
                app.title = format!("replay · {}", replay.meta.title);
                app.session = Session::replay(*replay);
                if let Some(player) = app.session.player_mut() {
                    player.watch = watch;
                    player.lang = lang;
                }
            }
        }
        if opts.explore {
            app.start_exploring();
        }
        Ok(app)
    }

    /// Run until the user quits, a signal comes, the terminal goes away or
    /// something fails: why.
    fn run_loop(
        &mut self,
        terminal: &mut DefaultTerminal,
        input: &Receiver<TermEvent>,
        signals: &Receiver<i32>,
    ) -> Exit {
        let mut dirty = true;
        let mut last_frame: Option<Instant> = None;
        loop {
            let wait = last_frame.map_or(Duration::ZERO, |t| FRAME.saturating_sub(t.elapsed()));
            // An undo's replay draws no frame until it is back.
            let fast = self.fast_forward_left();
            if dirty && fast.is_none() && (wait.is_zero() || self.deferred.is_some()) {
                if self.draw(terminal).is_err() {
                    return Exit::TerminalGone;
                }
                dirty = false;
                last_frame = Some(Instant::now());
            }
            if let Some(work) = self.deferred.take() {
                if let Err(e) = work(self) {
                    return Exit::Failed(e);
                }
                dirty = true;
                continue;
            }
            // Timers exist only when something is owed: idle means asleep.
            let frame_due = match (dirty, fast) {
                (true, Some(left)) => after(left),
                (true, None) => after(wait),
                (false, _) => never(),
            };
            let (events, replay_due) = self.sources();
            let resume_due = self.resume_at.map_or(never(), at_instant);
            let deadlock_due = self.deadlock_at.map_or(never(), at_instant);
            let repeated = self.repeats_source();
            let (explored, explore_done) = self.explore_sources();
            let exit = select! {
                recv(input) -> msg => match msg {
                    Ok(event) => self.on_input(event),
                    Err(_) => Some(Exit::TerminalGone),
                },
                recv(events) -> msg => {
                    let ingested = match msg {
                        Ok(event) => self.ingest_burst(event, &events),
                        Err(_) => Ok(()),
                    };
                    ingested.err().map(Exit::Failed)
                },
                recv(replay_due) -> _ => {
                    self.play_due();
                    None
                },
                recv(resume_due) -> _ => {
                    self.autoplay_due();
                    None
                },
                recv(deadlock_due) -> _ => {
                    self.deadlock_due();
                    None
                },
                recv(repeated) -> msg => {
                    self.repeat_done(msg.ok());
                    None
                },
                recv(explored) -> msg => {
                    self.explore_progress(msg.unwrap_or_default());
                    None
                },
                recv(explore_done) -> msg => {
                    self.explore_done(msg.ok());
                    None
                },
                recv(signals) -> sig => Some(Exit::Signal(sig.unwrap_or(15))),
                recv(frame_due) -> _ => None,
            };
            if let Some(exit) = exit {
                return exit;
            }
            dirty = true;
        }
    }

    /// One event and what else is waiting (a bounded burst, so input
    /// stays responsive under a flood).
    fn ingest_burst(&mut self, first: Event, events: &Receiver<Event>) -> io::Result<()> {
        self.ingest(&first)?;
        for event in events.try_iter().take(MAX_BURST) {
            self.ingest(&event)?;
        }
        self.after_steps();
        self.watch_deadlock();
        Ok(())
    }

    /// The live run's events, and the timer of the next replayed event.
    fn sources(&mut self) -> (Receiver<Event>, Receiver<Instant>) {
        if let Some(run) = self.session.run() {
            return (run.events.clone(), never());
        }
        let due = self.session.player_mut().and_then(|p| p.due());
        (never(), due.map_or(never(), at_instant))
    }

    fn draw(&mut self, terminal: &mut DefaultTerminal) -> io::Result<()> {
        if let Some(run) = self.session.run() {
            self.ui.malformed = run.counters.malformed();
            self.ui.rejected = run.counters.rejected();
        }
        self.mark_this_run();
        let mut panes = None;
        let view = self.view();
        terminal.draw(|frame| panes = ui::draw(frame, &view))?;
        if let Some(p) = panes {
            // PgUp/PgDn move by what the output pane shows (minus its border).
            self.ui.output_page = usize::from(p.output.height.saturating_sub(3)).max(1);
        }
        self.panes = panes;
        Ok(())
    }

    fn ingest(&mut self, event: &Event) -> io::Result<()> {
        self.session.ingest(event)?;
        self.pace_event();
        Ok(())
    }
}

/// A channel that fires once at `at`.
fn at_instant(at: Instant) -> Receiver<Instant> {
    after(at.saturating_duration_since(Instant::now()))
}

/// The script's lines for the code pane.
fn read_source(path: &Path) -> Vec<String> {
    match std::fs::read(path) {
        Ok(bytes) => ui::source_lines(&String::from_utf8_lossy(&bytes)),
        Err(_) => Vec::new(),
    }
}
