//! What `/proc` says about a process: its state, parent, group, session
//! and start time (which, with the pid, names a process for its whole
//! life: a pid can be reused, a (pid, start time) pair cannot).

use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stat {
    pub pid: i32,
    /// R, S, D, T, Z…
    pub state: char,
    pub ppid: i32,
    pub pgid: i32,
    pub sid: i32,
    /// Clock ticks after boot.
    pub starttime: u64,
}

impl Stat {
    pub fn is_zombie(&self) -> bool {
        self.state == 'Z' || self.state == 'X'
    }
}

/// A live (or zombie) process's stat line, parsed.
pub fn stat(pid: i32) -> Option<Stat> {
    use std::io::Read;
    // One read into a buffer on the stack (a stat line is ~300 bytes):
    // a scan of /proc does this for every process on the machine.
    let mut buf = [0u8; 1024];
    let mut file = std::fs::File::open(format!("/proc/{pid}/stat")).ok()?;
    let len = file.read(&mut buf).ok()?;
    parse_stat(pid, std::str::from_utf8(&buf[..len]).ok()?)
}

/// "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt
/// majflt cmajflt utime stime cutime cstime priority nice threads
/// itrealvalue starttime …": comm may hold spaces and parentheses.
fn parse_stat(pid: i32, text: &str) -> Option<Stat> {
    let after = &text[text.rfind(')')? + 1..];
    let f: Vec<&str> = after.split_whitespace().collect();
    Some(Stat {
        pid,
        state: f.first()?.chars().next()?,
        ppid: f.get(1)?.parse().ok()?,
        pgid: f.get(2)?.parse().ok()?,
        sid: f.get(3)?.parse().ok()?,
        starttime: f.get(19)?.parse().ok()?,
    })
}

/// Every process there is now.
pub fn all() -> Vec<Stat> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(stat)
        .collect()
}

/// The processes below `roots` (not the roots themselves), by parent links
/// as they are now, from one snapshot of `/proc`.
pub fn descendants(roots: &[i32], snapshot: &[Stat]) -> Vec<Stat> {
    let mut children: HashMap<i32, Vec<&Stat>> = HashMap::new();
    for s in snapshot {
        children.entry(s.ppid).or_default().push(s);
    }
    let mut seen: HashSet<i32> = roots.iter().copied().collect();
    let mut todo: Vec<i32> = roots.to_vec();
    let mut out = Vec::new();
    while let Some(pid) = todo.pop() {
        for child in children.get(&pid).into_iter().flatten() {
            if seen.insert(child.pid) {
                out.push(**child);
                todo.push(child.pid);
            }
        }
    }
    out
}

/// Is `pid` still the process that started at `starttime` (and not dead)?
pub fn is_same_live(pid: i32, starttime: u64) -> bool {
    stat(pid).is_some_and(|s| s.starttime == starttime && !s.is_zombie())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_name_with_spaces_and_parentheses() {
        let line = "42 (a (b) c) S 1 42 42 0 -1 4194560 10 0 0 0 1 2 0 0 20 0 1 0 12345 0 0";
        let s = parse_stat(42, line).unwrap();
        assert_eq!(
            (s.state, s.ppid, s.pgid, s.sid, s.starttime),
            ('S', 1, 42, 42, 12345)
        );
    }

    #[test]
    fn this_process_and_its_parent() {
        let me = stat(std::process::id() as i32).unwrap();
        assert_eq!(me.ppid, nix::unistd::getppid().as_raw());
        assert!(!me.is_zombie());
        assert!(is_same_live(me.pid, me.starttime));
        assert!(!is_same_live(me.pid, me.starttime + 1));
        let tree = descendants(&[me.ppid], &all());
        assert!(tree.iter().any(|s| s.pid == me.pid));
    }
}
