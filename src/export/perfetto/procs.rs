//! The processes of a recording as a trace shows them: each one's name
//! ("PID role name"), its parent, when it lived, and an order that puts
//! every process right under its parent.

use std::collections::BTreeMap;

use crate::protocol::{Body, Event, Role};

#[derive(Clone, Debug, Default)]
pub struct Proc {
    pub role: Option<Role>,
    pub name: Option<String>,
    pub parent: Option<i32>,
    /// Recorded time of its first event, and of its reaping (if seen).
    pub first_t: u64,
    pub exit: Option<(u64, i32)>,
}

/// Every pid a recording mentions: senders, children, Manager servers.
#[derive(Debug, Default)]
pub struct Procs {
    pub by_pid: BTreeMap<i32, Proc>,
    /// The main process (the `hello`'s sender).
    pub root: Option<i32>,
}

impl Procs {
    pub fn of(events: &[Event]) -> Procs {
        let mut procs = Procs::default();
        for e in events {
            procs.learn(e);
        }
        procs
    }

    fn entry(&mut self, pid: i32, t: u64) -> &mut Proc {
        let p = self.by_pid.entry(pid).or_insert_with(|| Proc {
            first_t: t,
            ..Proc::default()
        });
        p.first_t = p.first_t.min(t);
        p
    }

    fn learn(&mut self, e: &Event) {
        let (pid, t) = (e.pid, e.t);
        if pid == 0 {
            return; // not a process: output that bypassed Python
        }
        match &e.body {
            Body::Hello { .. } => {
                self.root.get_or_insert(pid);
                self.entry(pid, t).role.get_or_insert(Role::Main);
            }
            Body::ProcStart {
                ppid,
                parent,
                name,
                role,
                ..
            } => {
                let p = self.entry(pid, t);
                p.role = Some(*role);
                p.name = name.clone().or(p.name.take());
                p.parent = parent.or(Some(*ppid)).filter(|pp| *pp != pid);
            }
            Body::ProcSpawn { child, name, .. } => {
                self.entry(pid, t);
                let c = self.entry(*child, t);
                c.parent.get_or_insert(pid);
                if c.name.is_none() {
                    c.name = name.clone();
                }
            }
            Body::ProcExit { exitcode, .. } => {
                self.entry(pid, t).exit = Some((t, *exitcode));
            }
            Body::Manager { ppid } => {
                let p = self.entry(pid, t);
                p.role.get_or_insert(Role::Manager);
                p.parent.get_or_insert(*ppid);
            }
            Body::Proxy {
                server: Some(s), ..
            } => {
                self.entry(pid, t);
                self.entry(*s, t).role.get_or_insert(Role::Manager);
            }
            Body::Join { child, .. } => {
                self.entry(pid, t);
                self.entry(*child, t);
            }
            _ => {
                self.entry(pid, t);
            }
        }
    }

    /// "PID role name", e.g. "4101 pool worker ForkPoolWorker-1".
    pub fn label(&self, pid: i32) -> String {
        let p = self.by_pid.get(&pid);
        let role = p.and_then(|p| p.role).map_or("process", Role::label);
        match p.and_then(|p| p.name.as_deref()) {
            Some(name) => format!("{pid} {role} {name}"),
            None => format!("{pid} {role}"),
        }
    }

    /// When `pid` ended (its reaping), if it did in the recording.
    pub fn end_of(&self, pid: i32) -> Option<u64> {
        self.by_pid.get(&pid)?.exit.map(|(t, _)| t)
    }

    /// Every pid, parents before their children, children by pid: the
    /// process tree read top to bottom.
    pub fn tree_order(&self) -> Vec<i32> {
        let known = |pid: &i32| self.by_pid.contains_key(pid);
        let mut children: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
        let mut roots = Vec::new();
        for (pid, p) in &self.by_pid {
            match p.parent.filter(known) {
                Some(parent) => children.entry(parent).or_default().push(*pid),
                None => roots.push(*pid),
            }
        }
        // The main process first, then any other top-level process, then
        // whatever a parent loop (a corrupted recording) left out.
        roots.sort_by_key(|pid| (Some(*pid) != self.root, *pid));
        roots.extend(self.by_pid.keys());
        let mut order = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for root in roots {
            let mut stack = vec![root];
            while let Some(pid) = stack.pop() {
                if !seen.insert(pid) {
                    continue;
                }
                order.push(pid);
                if let Some(kids) = children.get(&pid) {
                    stack.extend(kids.iter().rev());
                }
            }
        }
        order
    }
}
