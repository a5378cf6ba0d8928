//! The terminal side of the screen: raw mode and the alternate screen with
//! mouse reporting (restored on drop and on panic), and the input thread.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{unbounded, Receiver};
use crossterm::event::{self as term, DisableMouseCapture, EnableMouseCapture, Event as TermEvent};
use crossterm::execute;
use ratatui::DefaultTerminal;

/// How often the input thread checks whether it should stop.
const INPUT_POLL: Duration = Duration::from_millis(250);

/// The terminal in raw mode on the alternate screen with mouse reporting;
/// restored when dropped, and by the panic hook on a panic.
pub(super) struct Screen {
    pub terminal: DefaultTerminal,
}

impl Screen {
    pub fn enter() -> io::Result<Self> {
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
        let _ = self.thread.join();
    }
}
