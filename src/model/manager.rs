//! Manager servers, the objects they hold and the calls clients make on them.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub client: i32,
    pub object: String,
    pub method: String,
    pub args: Vec<String>,
    pub result: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ManagedObject {
    pub typeid: String,
    /// What the calls revealed of its contents: key repr → value repr.
    pub entries: BTreeMap<String, String>,
    pub calls: u64,
    /// Per key: writes, and the distinct values written. A counter moved one
    /// step per write should see a new value each time; a value written
    /// twice means two processes read the same old value: a lost update.
    pub writes: BTreeMap<String, (u64, BTreeSet<String>)>,
}

impl ManagedObject {
    pub fn lost_updates(&self) -> u64 {
        self.writes
            .values()
            .map(|(n, distinct)| n - distinct.len() as u64)
            .sum()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Server {
    pub pid: i32,
    pub ppid: Option<i32>,
    pub objects: BTreeMap<String, ManagedObject>,
    pub recent: VecDeque<Call>,
    pub calls: u64,
}

const MAX_SERVERS: usize = 16;
const MAX_OBJECTS: usize = 256;
const MAX_ENTRIES: usize = 256;
const MAX_RECENT: usize = 64;
const MAX_DISTINCT: usize = 100_000;

#[derive(Clone, Debug, Default)]
pub struct Managers {
    pub servers: BTreeMap<i32, Server>,
}

impl Managers {
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }

    /// Lost updates over every managed object (see [`ManagedObject::writes`]).
    pub fn lost_updates(&self) -> u64 {
        self.servers
            .values()
            .flat_map(|s| s.objects.values())
            .map(ManagedObject::lost_updates)
            .sum()
    }

    fn server(&mut self, pid: i32) -> Option<&mut Server> {
        if !self.servers.contains_key(&pid) && self.servers.len() >= MAX_SERVERS {
            return None;
        }
        Some(self.servers.entry(pid).or_insert_with(|| Server {
            pid,
            ..Server::default()
        }))
    }

    pub fn server_started(&mut self, pid: i32, ppid: i32) {
        if let Some(s) = self.server(pid) {
            s.ppid = Some(ppid);
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn call(
        &mut self,
        client: i32,
        server: Option<i32>,
        id: &str,
        typeid: &str,
        method: &str,
        args: &[String],
        result: &str,
    ) {
        let Some(s) = self.server(server.unwrap_or(0)) else {
            return;
        };
        s.calls += 1;
        if s.recent.len() == MAX_RECENT {
            s.recent.pop_front();
        }
        s.recent.push_back(Call {
            client,
            object: id.to_string(),
            method: method.to_string(),
            args: args.to_vec(),
            result: result.to_string(),
        });
        if !s.objects.contains_key(id) && s.objects.len() >= MAX_OBJECTS {
            return;
        }
        let obj = s.objects.entry(id.to_string()).or_default();
        obj.typeid = typeid.to_string();
        obj.calls += 1;
        learn_contents(obj, method, args, result);
    }
}

/// Keep the dict view in step with what the calls read and wrote.
fn learn_contents(obj: &mut ManagedObject, method: &str, args: &[String], result: &str) {
    if result.starts_with("raised ") {
        return;
    }
    let room = obj.entries.len() < MAX_ENTRIES;
    match (method, args) {
        ("__setitem__", [k, v, ..]) if room || obj.entries.contains_key(k) => {
            obj.entries.insert(k.clone(), v.clone());
            let (n, distinct) = obj.writes.entry(k.clone()).or_default();
            *n += 1;
            if distinct.len() < MAX_DISTINCT {
                distinct.insert(v.clone());
            }
        }
        ("__getitem__" | "get", [k, ..]) if room || obj.entries.contains_key(k) => {
            obj.entries.insert(k.clone(), result.to_string());
        }
        ("__delitem__" | "pop", [k, ..]) => {
            obj.entries.remove(k);
        }
        ("clear", _) => obj.entries.clear(),
        _ => {}
    }
}
