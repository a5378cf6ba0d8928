//! The terminal side of the screen: raw mode and the alternate screen with
//! mouse reporting (restored on drop and on panic), and the input thread.
//!
//! The terminal can vanish under us (a closed window, a dropped SSH
//! session): writes then fail with EIO. Restoring never fails loudly
//! (printing the failure to a dead terminal would panic), and the loop
//! treats a failed draw as the user leaving.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{unbounded, Receiver};
use crossterm::event::{self as term, DisableMouseCapture, EnableMouseCapture, Event as TermEvent};
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::{DefaultTerminal, Terminal};

/// How often the input thread checks whether it should stop.
const INPUT_POLL: Duration = Duration::from_millis(250);
/// How long stopping waits for the input thread (it may be stuck on a
/// terminal that vanished; the process ends without it then).
const INPUT_STOP: Duration = Duration::from_millis(500);

/// The terminal in raw mode on the alternate screen with mouse reporting;
/// restored when dropped, and by the panic hook on a panic.
pub(super) struct Screen {
    pub terminal: DefaultTerminal,
}

impl Screen {
    pub fn enter() -> io::Result<Self> {
        chain_restoring_hook();
        enable_raw_mode()?;
        execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture)?;
        let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
        Ok(Screen { terminal })
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore();
    }
}

/// Back to the normal screen, whatever state the terminal is in; errors
/// are ignored (the terminal may be gone).
pub(super) fn restore() {
    let _ = execute!(
        io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
}

/// On a panic: restore the terminal first, then let the hooks installed
/// before (main's child-killing hook, color-eyre's report) run.
fn chain_restoring_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// The terminal reader thread. It polls with a timeout rather than blocking
/// in `read`, so it can be told to stop and does not keep reading the
/// terminal after the screen is restored.
pub(super) struct Input {
    pub events: Receiver<TermEvent>,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl Input {
    pub fn spawn() -> Self {
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
                    // The terminal is gone: the loop sees the channel close.
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

    pub fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let deadline = Instant::now() + INPUT_STOP;
        while !self.thread.is_finished() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        if self.thread.is_finished() {
            let _ = self.thread.join();
        }
    }
}
