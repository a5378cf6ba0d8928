//! Manager servers, the objects they hold and the calls clients make on them.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::registry::{Limit, Registry};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub client: i32,
    pub object: String,
    pub method: String,
    pub args: Vec<String>,
    pub result: String,
    /// A write of a value that an earlier write of the same counter
    /// already wrote: two clients read the same value, one update is lost.
    pub lost: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ManagedObject {
    pub typeid: String,
    /// What the calls revealed of its contents: key repr → value repr.
    pub entries: BTreeMap<String, String>,
    pub calls: u64,
    /// Per key: how a counter moved, to count lost updates.
    pub counters: BTreeMap<String, Counter>,
}

/// An integer entry changed one step per write (`d['count'] -= 1`).
///
/// Reports of different clients race each other, so neither the first read
/// reported nor the first write need be the first made; what holds
/// whatever the order: a client writes one step from the value it read
/// (the direction), and the value before any write is the highest value
/// read of a falling counter (the lowest of a rising one).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    pub low: Option<i64>,
    pub high: Option<i64>,
    pub writes: u64,
    /// +1 or -1, once a client wrote after reading.
    pub step: Option<i64>,
    /// Each client's latest read.
    last_read: BTreeMap<i32, i64>,
    /// Values written so far (bounded), to spot a value written twice.
    written: BTreeSet<i64>,
}

/// Clients whose latest read is remembered at most.
const MAX_READERS: usize = 4096;

impl Counter {
    /// The value before the first write.
    pub fn initial(&self) -> Option<i64> {
        if self.step? < 0 {
            self.high
        } else {
            self.low
        }
    }

    fn read(&mut self, client: i32, value: i64) {
        self.low = Some(self.low.map_or(value, |l| l.min(value)));
        self.high = Some(self.high.map_or(value, |h| h.max(value)));
        if self.last_read.len() < MAX_READERS || self.last_read.contains_key(&client) {
            self.last_read.insert(client, value);
        }
    }

    /// True when `value` was written before (an update was lost).
    fn wrote(&mut self, client: i32, value: Option<i64>) -> bool {
        self.writes += 1;
        let Some(value) = value else { return false };
        if let (None, Some(read)) = (self.step, self.last_read.get(&client)) {
            self.step = Some((value - read).signum()).filter(|s| *s != 0);
        }
        let again = self.written.contains(&value);
        if self.written.len() < MAX_WRITTEN {
            self.written.insert(value);
        }
        again
    }
}

impl ManagedObject {
    /// Updates lost to read-modify-write races: every write meant one step,
    /// so the value should be `initial + step × writes`; what it is instead
    /// (its latest known value) tells how many steps were lost.
    pub fn lost_updates(&self) -> u64 {
        self.counters
            .iter()
            .filter_map(|(key, c)| {
                let (initial, step) = (c.initial()?, c.step?);
                let now: i64 = self.entries.get(key)?.parse().ok()?;
                Some((initial + step * c.writes as i64 - now).unsigned_abs())
            })
            .sum()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Server {
    pub pid: i32,
    pub ppid: Option<i32>,
    pub objects: Registry<String, ManagedObject>,
    pub recent: VecDeque<Call>,
    pub calls: u64,
}

const MAX_SERVERS: usize = 16;
const MAX_OBJECTS: usize = 256;
const MAX_ENTRIES: usize = 256;
const MAX_RECENT: usize = 64;
const MAX_WRITTEN: usize = 4096;
const MAX_CLIENTS: usize = 4096;

#[derive(Clone, Debug, Default)]
pub struct Managers {
    pub servers: Registry<i32, Server>,
    /// Proxy calls per client process over the whole run (past
    /// `MAX_CLIENTS` clients, new ones are not counted).
    pub calls_by_client: BTreeMap<i32, u64>,
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
        self.servers
            .get_or_insert_with(&pid, Limit::refuse(MAX_SERVERS), |_| Server {
                pid,
                ..Server::default()
            })
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
        if self.calls_by_client.len() < MAX_CLIENTS || self.calls_by_client.contains_key(&client) {
            *self.calls_by_client.entry(client).or_default() += 1;
        }
        let Some(s) = self.server(server.unwrap_or(0)) else {
            return;
        };
        s.calls += 1;
        let limit = Limit::refuse(MAX_OBJECTS);
        let lost = match s
            .objects
            .get_or_insert_with(id, limit, |_| ManagedObject::default())
        {
            Some(obj) => {
                obj.typeid = typeid.to_string();
                obj.calls += 1;
                learn_contents(obj, client, method, args, result)
            }
            None => false,
        };
        if s.recent.len() == MAX_RECENT {
            s.recent.pop_front();
        }
        s.recent.push_back(Call {
            client,
            object: id.to_string(),
            method: method.to_string(),
            args: args.to_vec(),
            result: result.to_string(),
            lost,
        });
    }
}

/// Keep the dict view in step with what the calls read and wrote. True
/// when the call wrote a counter value that was written before.
fn learn_contents(
    obj: &mut ManagedObject,
    client: i32,
    method: &str,
    args: &[String],
    result: &str,
) -> bool {
    if result.starts_with("raised ") {
        return false;
    }
    let room = obj.entries.len() < MAX_ENTRIES;
    match (method, args) {
        ("__setitem__", [k, v, ..]) if room || obj.entries.contains_key(k) => {
            obj.entries.insert(k.clone(), v.clone());
            let c = obj.counters.entry(k.clone()).or_default();
            return c.wrote(client, v.parse().ok());
        }
        ("__getitem__" | "get", [k, ..]) if room || obj.entries.contains_key(k) => {
            obj.entries.insert(k.clone(), result.to_string());
            if let Ok(value) = result.parse() {
                let c = obj.counters.entry(k.clone()).or_default();
                c.read(client, value);
            }
        }
        ("__delitem__" | "pop", [k, ..]) => {
            obj.entries.remove(k);
        }
        ("clear", _) => obj.entries.clear(),
        _ => {}
    }
    false
}
