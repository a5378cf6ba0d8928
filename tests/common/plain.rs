//! Plain python3, without forklore, with its stdout and stderr as a
//! learner's would be: each a terminal (a pseudo-terminal of its own,
//! output processing off so the bytes are the program's), pipes (as
//! `python3 x.py > file`), or pipes under `-u`. Optionally under strace,
//! to count the write(2) calls each process made.

use std::io::Read;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;

use forklore::protocol::Buffering;
use nix::fcntl::OFlag;
use nix::pty::{grantpt, posix_openpt, ptsname_r, unlockpt};
use nix::sys::stat::Mode;
use nix::sys::termios::{tcgetattr, tcsetattr, OutputFlags, SetArg};

/// What plain python3 wrote, and how.
pub struct Plain {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub code: Option<i32>,
    /// Every write(2) to fd 1 or 2, in order (empty unless traced).
    pub writes: Vec<Write>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write {
    pub pid: i32,
    pub fd: u8,
    pub len: usize,
}

impl Plain {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// The sizes of the writes to `fd`, in order.
    pub fn sizes(&self, fd: u8) -> Vec<usize> {
        self.writes
            .iter()
            .filter(|w| w.fd == fd)
            .map(|w| w.len)
            .collect()
    }
}

/// `python3 script args` with its outputs as `buffering` says.
pub fn plain(python: &Path, script: &Path, args: &[&str], buffering: Buffering) -> Plain {
    let mut cmd = Command::new(python);
    cmd.arg(script).args(args);
    run(cmd, buffering)
}

/// As [`plain`], under `strace -f`: every write(2) to fd 1 and 2 is in
/// `writes`. None when there is no strace on this machine.
pub fn plain_traced(
    python: &Path,
    script: &Path,
    args: &[&str],
    buffering: Buffering,
) -> Option<Plain> {
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("strace not found: write(2) calls are not compared");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("strace.log");
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-qq", "-e", "trace=write", "-e", "signal=none", "-o"])
        .arg(&log)
        .arg(python)
        .arg(script)
        .args(args);
    let mut plain = run(cmd, buffering);
    let text = std::fs::read_to_string(&log)
        .unwrap_or_else(|e| panic!("strace wrote no log ({e}): {}", plain.stdout()));
    plain.writes = parse_strace(&text);
    Some(plain)
}

fn run(mut cmd: Command, buffering: Buffering) -> Plain {
    cmd.env_remove("PYTHONPATH").stdin(Stdio::null());
    match buffering {
        Buffering::Unbuffered => cmd.env("PYTHONUNBUFFERED", "1"),
        Buffering::Terminal | Buffering::Pipe => cmd.env_remove("PYTHONUNBUFFERED"),
    };
    let (out, err) = (outputs(buffering), outputs(buffering));
    cmd.stdout(Stdio::from(out.1)).stderr(Stdio::from(err.1));
    let mut child = cmd.spawn().expect("python3 starts");
    // Our copies of the write ends went with `cmd`: drop it so the
    // readers see the end when the program's last process closes them.
    drop(cmd);
    let readers = [out.0, err.0].map(|fd| thread::spawn(move || read_to_end(fd)));
    let code = child.wait().expect("python3 is waited for").code();
    let [stdout, stderr] = readers.map(|r| r.join().unwrap());
    Plain {
        stdout,
        stderr,
        code,
        writes: Vec::new(),
    }
}

/// (the end to read, the end the program writes to).
fn outputs(buffering: Buffering) -> (OwnedFd, OwnedFd) {
    match buffering {
        Buffering::Terminal => terminal(),
        Buffering::Unbuffered | Buffering::Pipe => nix::unistd::pipe2(OFlag::O_CLOEXEC).unwrap(),
    }
}

/// A pseudo-terminal of 80×24, close-on-exec (tests start processes from
/// many threads), with output processing off.
fn terminal() -> (OwnedFd, OwnedFd) {
    let flags = OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC;
    let master = posix_openpt(flags).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let slave =
        nix::fcntl::open(ptsname_r(&master).unwrap().as_str(), flags, Mode::empty()).unwrap();
    let mut termios = tcgetattr(&slave).unwrap();
    termios.output_flags.remove(OutputFlags::OPOST);
    tcsetattr(&slave, SetArg::TCSANOW, &termios).unwrap();
    let size = libc::winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ only reads the winsize passed.
    let set = unsafe { libc::ioctl(slave.as_raw_fd(), libc::TIOCSWINSZ, &size) };
    assert_eq!(set, 0, "the terminal's size is set");
    (master.into(), slave)
}

/// Everything until the end: 0 from a pipe, EIO from a terminal's master
/// once no process holds the other end.
fn read_to_end(fd: OwnedFd) -> Vec<u8> {
    let mut file = std::fs::File::from(fd);
    let mut all = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match file.read(&mut buf) {
            Ok(0) => return all,
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return all,
        }
    }
}

/// `PID write(FD, "…"…, N) = M` lines (and their `<unfinished …>` /
/// `<… write resumed>` halves) as writes to fd 1 and 2.
fn parse_strace(text: &str) -> Vec<Write> {
    let mut writes = Vec::new();
    let mut pending: Vec<(i32, u8)> = Vec::new();
    for line in text.lines() {
        let Some((pid, rest)) = line.split_once(' ') else {
            continue;
        };
        let Ok(pid) = pid.trim().parse::<i32>() else {
            continue;
        };
        let rest = rest.trim_start();
        if let Some(call) = rest.strip_prefix("write(") {
            let fd: u8 = match call.split(',').next().and_then(|f| f.parse().ok()) {
                Some(fd @ (1 | 2)) => fd,
                _ => continue,
            };
            match returned(rest) {
                Some(len) => writes.push(Write { pid, fd, len }),
                None if rest.ends_with("<unfinished ...>") => pending.push((pid, fd)),
                None => {}
            }
        } else if rest.starts_with("<... write resumed>") {
            if let Some(i) = pending.iter().position(|p| p.0 == pid) {
                let (pid, fd) = pending.remove(i);
                if let Some(len) = returned(rest) {
                    writes.push(Write { pid, fd, len });
                }
            }
        }
    }
    writes
}

/// The `= N` a finished call returned.
fn returned(line: &str) -> Option<usize> {
    let (_, after) = line.rsplit_once(')')?;
    let n = after.trim_start().strip_prefix('=')?;
    n.split_whitespace().next()?.parse().ok()
}
