//! A pseudo-terminal for a run's stdout or stderr (`--buffering terminal`).
//!
//! Why a terminal and not an instruction to Python: what a program does
//! with its output depends on more than one flag. Python line-buffers a
//! stream that is a terminal (one `write(2)` per line) and block-buffers
//! one that is not (a write about every 8 KB), sizing its buffers by the
//! fd (`st_blksize`: 1024 for a terminal here); `isatty()` is true, and
//! libraries decide on it (colours, progress bars, 3.13's tracebacks); the
//! programs the script starts make the same choices for themselves. A
//! real terminal gives each of them exactly what it has at home, which no
//! environment variable could. forklore still sees every write: Python's
//! own as events (the shim's stream keeps the buffering Python chose), and
//! anything below Python from the terminal's master side.
//!
//! The terminal's output processing is off (no OPOST: a `\n` is not made
//! `\r\n`), so forklore reads exactly the bytes the program wrote. It is
//! no process's controlling terminal (opened O_NOCTTY, and the run's
//! processes stay in forklore's session), so no job-control signal or
//! SIGHUP comes from it.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use nix::fcntl::OFlag;
use nix::pty::{grantpt, posix_openpt, ptsname_r, unlockpt};
use nix::sys::stat::Mode;
use nix::sys::termios::{tcgetattr, tcsetattr, OutputFlags, SetArg};

/// The size a run's terminal has when forklore has none of its own.
const DEFAULT_SIZE: (u16, u16) = (80, 24);

/// Both ends of a pseudo-terminal: the program writes to `slave`,
/// forklore reads `master`.
pub struct Pty {
    pub master: OwnedFd,
    pub slave: OwnedFd,
}

/// A new pseudo-terminal as big as forklore's own terminal (80×24 when it
/// has none). Both ends are close-on-exec from the start: forklore starts
/// runs from several threads at once (`--repeat`, explore), and an end
/// leaked into another run's processes would keep this terminal open
/// after its own run ended.
pub fn open() -> std::io::Result<Pty> {
    let flags = OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC;
    let master = posix_openpt(flags)?;
    grantpt(&master)?;
    unlockpt(&master)?;
    let name = ptsname_r(&master)?;
    let slave = nix::fcntl::open(name.as_str(), flags, Mode::empty())?;
    let mut termios = tcgetattr(&slave)?;
    termios.output_flags.remove(OutputFlags::OPOST);
    tcsetattr(&slave, SetArg::TCSANOW, &termios)?;
    let master = OwnedFd::from(master);
    set_size(&master, own_size().unwrap_or(DEFAULT_SIZE))?;
    Ok(Pty { master, slave })
}

/// Columns and rows of forklore's own terminal (its stdout), if it is one.
fn own_size() -> Option<(u16, u16)> {
    let stdout = std::io::stdout();
    let size = window_size(stdout.as_fd())?;
    (size.0 > 0 && size.1 > 0).then_some(size)
}

fn window_size(fd: impl AsFd) -> Option<(u16, u16)> {
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one `winsize` into the struct we own.
    let got = unsafe { libc::ioctl(fd.as_fd().as_raw_fd(), libc::TIOCGWINSZ, &mut size) };
    (got == 0).then_some((size.ws_col, size.ws_row))
}

fn set_size(fd: &OwnedFd, (cols, rows): (u16, u16)) -> std::io::Result<()> {
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ only reads the `winsize` we pass.
    let set = unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCSWINSZ, &size) };
    if set == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}
