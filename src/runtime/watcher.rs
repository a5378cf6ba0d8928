//! The watcher: a tiny process (forklore itself, `forklore __watch`) that
//! outlives forklore. forklore tells it, line by line on its stdin, which
//! process groups, processes and private folders its runs have; when that
//! pipe closes, whatever is still registered is killed and removed. A
//! normal end forgets everything first, so the watcher then does nothing;
//! after `kill -9` of forklore nothing else could clean up.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::Mutex;

use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;

/// The hidden command line argument that makes forklore a watcher.
pub const ARG: &str = "__watch";

static PIPE: Mutex<Option<ChildStdin>> = Mutex::new(None);
static STARTED: std::sync::Once = std::sync::Once::new();
static PID: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// Is `pid` this forklore's watcher (not a process of a run)?
pub fn is_watcher(pid: i32) -> bool {
    pid != 0 && PID.load(std::sync::atomic::Ordering::Relaxed) == pid
}

/// The forklore binary to run as the watcher: `FORKLORE_BIN`, this
/// program if it is forklore, or the `forklore` beside this program's
/// folder (cargo's layout, for tests and benches that use the library).
fn binary() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("FORKLORE_BIN") {
        return Some(PathBuf::from(bin));
    }
    let me = std::env::current_exe().ok()?;
    if me.file_stem().is_some_and(|s| s == "forklore") {
        return Some(me);
    }
    let beside = me.parent()?.parent()?.join("forklore");
    beside.is_file().then_some(beside)
}

fn start() {
    let Some(bin) = binary() else { return };
    let mut cmd = Command::new(bin);
    cmd.arg(ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // Its own session: the terminal's signals (Ctrl-C, a closed window)
    // must not reach it before forklore has cleaned up itself.
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            nix::unistd::setsid().map_err(std::io::Error::from)?;
            Ok(())
        });
    }
    if let Ok(mut child) = cmd.spawn() {
        PID.store(child.id() as i32, std::sync::atomic::Ordering::Relaxed);
        *PIPE.lock().unwrap_or_else(|e| e.into_inner()) = child.stdin.take();
    }
}

fn tell(line: String) {
    STARTED.call_once(start);
    let mut pipe = PIPE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = pipe.as_mut() {
        if writeln!(p, "{line}").is_err() {
            *pipe = None;
        }
    }
}

pub fn group(pgid: i32) {
    tell(format!("group {pgid}"));
}

pub fn forget_group(pgid: i32) {
    tell(format!("-group {pgid}"));
}

pub fn process(pid: i32, starttime: u64) {
    tell(format!("pid {pid} {starttime}"));
}

pub fn dir(path: &Path) {
    tell(format!("dir {}", path.display()));
}

pub fn forget_dir(path: &Path) {
    tell(format!("-dir {}", path.display()));
}

/// The watcher's side: read until forklore's end of the pipe closes, then
/// kill and remove what is still registered. Never returns.
pub fn serve() -> ! {
    let mut groups: Vec<i32> = Vec::new();
    let mut pids: Vec<(i32, u64)> = Vec::new();
    let mut dirs: Vec<PathBuf> = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let (verb, rest) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        match verb {
            "group" => groups.extend(rest.parse::<i32>().ok()),
            "-group" => groups.retain(|g| Some(*g) != rest.parse().ok()),
            "pid" => {
                let mut parts = rest.split(' ').filter_map(|p| p.parse::<u64>().ok());
                if let (Some(pid), Some(start)) = (parts.next(), parts.next()) {
                    pids.push((pid as i32, start));
                }
            }
            "dir" => dirs.push(PathBuf::from(rest)),
            "-dir" => dirs.retain(|d| d.as_path() != Path::new(rest)),
            _ => {}
        }
    }
    clean_up(&groups, &pids, &dirs);
    std::process::exit(0)
}

fn clean_up(groups: &[i32], pids: &[(i32, u64)], dirs: &[PathBuf]) {
    // Twice: a process forking while the first round went by.
    for _ in 0..2 {
        for pgid in groups {
            // What left the group first (found by its parents), then the group.
            for s in super::members::outside(*pgid, pids) {
                let _ = kill(Pid::from_raw(s.pid), Signal::SIGKILL);
            }
            let _ = killpg(Pid::from_raw(*pgid), Signal::SIGKILL);
        }
    }
    for dir in dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
}
