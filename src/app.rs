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
    MouseButton, MouseEvent, MouseEventKind,
};
use crossterm::execute;
use ratatui::layout::{Position, Rect};
use ratatui::DefaultTerminal;

use crate::action::{action_for, Action};
use crate::model::{Model, RunState};
use crate::protocol::Event;
use crate::record::Recorder;
use crate::runtime::reaper::shell_status;
use crate::runtime::{Run, RunConfig};
use crate::ui::{self, Effect, Theme, ThemeName, UiState, View};

/// The shortest time between two frames (~30 fps).
const FRAME: Duration = Duration::from_millis(33);
/// Events folded per loop turn at most, so input stays responsive under a flood.
const MAX_BURST: usize = 20_000;
/// How often the input thread checks whether it should stop.
const INPUT_POLL: Duration = Duration::from_millis(250);
/// Exit status after quitting while the script still ran (as for Ctrl-C).
const QUIT_WHILE_RUNNING: i32 = 130;
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
}

/// Run `config` on the live screen until the user quits or a signal
/// (SIGINT/SIGTERM/SIGHUP, from `signals`) arrives. Returns the shell exit
/// status to use: the script's (128+N if killed by N) when it had finished,
/// 130 when quit while it still ran, 128+sig after a signal.
pub fn run_tui(config: RunConfig, opts: TuiOptions, signals: &Receiver<i32>) -> io::Result<i32> {
    // Started before the screen takes over, so a start error prints plainly.
    let run = Run::start(&config).map_err(|e| io::Error::other(e.to_string()))?;
    let mut app = App {
        ui: UiState::new(config.slow),
        source: read_source(&config.script),
        config,
        run,
        model: Model::new(),
        recorder: opts.recorder,
        title: opts.title,
        theme: Theme::from_env(opts.theme),
    };
    let input = Input::spawn();
    let mut screen = Screen::enter()?;
    let result = app.run_loop(&mut screen.terminal, &input.events, signals);
    drop(screen);
    input.stop();
    result
}

struct App {
    config: RunConfig,
    run: Run,
    model: Model,
    ui: UiState,
    recorder: Option<Recorder>,
    source: Vec<String>,
    title: String,
    theme: Theme,
}

/// Why the loop ends.
enum Exit {
    Quit,
    Signal(i32),
}

impl App {
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
            // The timer exists only while a frame is owed: idle means asleep.
            let frame_due = if dirty { after(wait) } else { never() };
            let events = self.run.events.clone();
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
                recv(signals) -> sig => Some(Exit::Signal(sig.unwrap_or(15))),
                recv(frame_due) -> _ => None,
            };
            if let Some(exit) = exit {
                return self.shut_down(exit);
            }
            dirty = true;
        }
    }

    fn draw(&mut self, terminal: &mut DefaultTerminal) -> io::Result<()> {
        self.ui.malformed = self.run.counters.malformed();
        self.ui.rejected = self.run.counters.rejected();
        let size = terminal.size()?;
        let panes = ui::layout(Rect::new(0, 0, size.width, size.height), &self.view());
        // PgUp/PgDn move by what the output pane shows (minus its border).
        self.ui.output_page = usize::from(panes.output.height.saturating_sub(3)).max(1);
        let view = self.view();
        terminal.draw(|frame| ui::draw(frame, &view))?;
        Ok(())
    }

    fn view(&self) -> View<'_> {
        View {
            model: &self.model,
            ui: &self.ui,
            theme: self.theme,
            source: &self.source,
            title: &self.title,
        }
    }

    fn ingest(&mut self, event: &Event) -> io::Result<()> {
        if let Some(rec) = self.recorder.as_mut() {
            rec.write(event)?;
        }
        self.model.update(event);
        Ok(())
    }

    fn on_input(
        &mut self,
        event: TermEvent,
        terminal: &mut DefaultTerminal,
    ) -> io::Result<Option<Exit>> {
        let action = match event {
            TermEvent::Key(key) => {
                test_panic(&key);
                action_for(&key)
            }
            TermEvent::Mouse(mouse) => self.mouse_action(mouse, terminal.size()?.into()),
            _ => None,
        };
        let Some(action) = action else {
            return Ok(None);
        };
        match self.ui.apply(action, &self.model) {
            Effect::None => {}
            Effect::Quit => return Ok(Some(Exit::Quit)),
            Effect::TogglePause => self.toggle_pause(),
            Effect::Restart => self.restart(terminal)?,
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
        if self.run.poll_finished() {
            self.ui.message = Some("the script has ended: r runs it again".to_string());
        } else if self.run.is_paused() {
            self.run.resume();
        } else {
            self.run.pause();
        }
    }

    /// Stop the old run completely (every process reaped), then start the
    /// script again with a fresh model and the chosen speed.
    fn restart(&mut self, terminal: &mut DefaultTerminal) -> io::Result<()> {
        self.ui.message = Some("restarting: stopping every process…".to_string());
        self.draw(terminal)?;
        self.run.stop();
        self.finish_recording()?;
        let config = RunConfig {
            slow: self.ui.slow,
            ..self.config.clone()
        };
        match Run::start(&config) {
            Ok(run) => {
                self.run = run;
                self.config = config;
                self.model = Model::new();
                self.ui.restarted();
                // The teacher may have edited the script between runs.
                self.source = read_source(&self.config.script);
                self.restart_recording()?;
            }
            Err(e) => self.ui.message = Some(format!("cannot restart: {e}")),
        }
        Ok(())
    }

    fn finish_recording(&mut self) -> io::Result<()> {
        if let Some(rec) = self.recorder.as_mut() {
            for event in self.run.events.try_iter() {
                rec.write(&event)?;
            }
            rec.flush()?;
        }
        Ok(())
    }

    fn restart_recording(&mut self) -> io::Result<()> {
        if let Some(rec) = self.recorder.take() {
            self.recorder = Some(Recorder::create(rec.path())?);
        }
        Ok(())
    }

    /// Stop the run, keep what it still said, and pick the exit status.
    fn shut_down(&mut self, exit: Exit) -> io::Result<i32> {
        let finished_before = match self.model.state {
            RunState::Finished(code) => Some(code),
            _ => None,
        };
        self.run.stop();
        for event in self.run.events.try_iter().collect::<Vec<_>>() {
            self.ingest(&event)?;
        }
        if let Some(rec) = self.recorder.as_mut() {
            rec.flush()?;
        }
        Ok(match (exit, finished_before) {
            (Exit::Signal(sig), _) => 128 + sig,
            (Exit::Quit, Some(code)) => shell_status(code),
            (Exit::Quit, None) => QUIT_WHILE_RUNNING,
        })
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
