//! The event socket and the rings: receives datagrams with the sender's
//! credentials, rejects strangers, takes the rings the run's processes
//! pass over it (their events from then on), and decodes.

use std::collections::{BTreeMap, HashMap};
use std::io::IoSliceMut;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixDatagram;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use nix::errno::Errno;
use nix::sys::socket::{
    recvmmsg, setsockopt, sockopt, ControlMessageOwned, MsgFlags, MultiHeaders, RecvMsg,
    UnixCredentials,
};

use super::gates::Gates;
use super::members::Members;
use super::procfs;
use super::ring::{Record, Ring};
use super::templates::Templates;
use crate::protocol::{decode, Body, Event, MAX_DATAGRAM};

/// Counters of what was skipped, shared with the run's handle.
#[derive(Default, Debug)]
pub struct Counters {
    pub events: AtomicU64,
    pub malformed: AtomicU64,
    pub rejected: AtomicU64,
    /// Events that could not be delivered while the run was being stopped.
    pub dropped: AtomicU64,
}

impl Counters {
    pub fn malformed(&self) -> u64 {
        self.malformed.load(Ordering::Relaxed)
    }
    pub fn rejected(&self) -> u64 {
        self.rejected.load(Ordering::Relaxed)
    }
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// Ask the kernel for senders' credentials and make reads non-blocking.
pub fn prepare(sock: &UnixDatagram) -> std::io::Result<()> {
    setsockopt(sock, sockopt::PassCred, &true).map_err(std::io::Error::from)?;
    sock.set_nonblocking(true)
}

/// Receives events of one run. Nothing from the socket is trusted: only
/// processes of the run are listened to (its group, or below it: checked
/// with the sender's kernel credentials), an event's `pid` is the sender's
/// (the kernel's word, not the datagram's), a ring is taken only from a
/// process so checked and its events are that process's, and kinds only
/// forklore itself makes (`run_end`…) are refused.
pub struct Receiver {
    sock: UnixDatagram,
    members: Members,
    uid: u32,
    /// Verdicts per process, by (pid, start time): a pid reused by another
    /// process is judged again.
    verdicts: HashMap<(i32, u64), bool>,
    /// Each process's ring, once it passed one, and the ring's templates.
    rings: BTreeMap<i32, (Ring, Templates)>,
    /// Where the step gates' pipes go.
    gates: Gates,
    bufs: Vec<Vec<u8>>,
    headers: MultiHeaders<()>,
    pub counters: Arc<Counters>,
}

/// Datagrams taken per recvmmsg() call: fewer syscalls under a flood.
const BATCH: usize = 32;

/// What recvmmsg() said about one datagram.
struct Received {
    len: usize,
    creds: Option<UnixCredentials>,
    /// File descriptors passed with it (closed when dropped).
    fds: Vec<OwnedFd>,
}

/// The datagrams that are not events: "here is my ring" (its memfd
/// passed with it) and "here is my step gate" (a pipe's write end).
const RING_ANNOUNCEMENT: &[u8] = b"ring";
const GATE_ANNOUNCEMENT: &[u8] = b"gate";

impl Receiver {
    /// `sock` must have been through [`prepare`].
    pub fn new(
        sock: UnixDatagram,
        members: Members,
        gates: Gates,
        counters: Arc<Counters>,
    ) -> Self {
        Receiver {
            sock,
            members,
            uid: nix::unistd::getuid().as_raw(),
            verdicts: HashMap::new(),
            rings: BTreeMap::new(),
            gates,
            bufs: vec![vec![0u8; MAX_DATAGRAM + 1]; BATCH],
            headers: headers(),
            counters,
        }
    }

    pub fn fd(&self) -> BorrowedFd<'_> {
        use std::os::fd::AsFd;
        self.sock.as_fd()
    }

    /// Every event waiting now, into `out` (unordered between processes;
    /// the collector orders them): first what the rings hold, then the
    /// socket's datagrams, then what rings announced meanwhile hold.
    /// Returns the earliest hold a ring had when it was read (see
    /// `Ring::hold`): events made from then on may still be on their way.
    pub fn gather(&mut self, out: &mut Vec<Event>) -> Option<u64> {
        let mut held = self.read_rings(out);
        let before = self.rings.len();
        loop {
            let batch = self.recv_batch();
            if batch.is_empty() {
                break;
            }
            for (i, got) in batch.into_iter().enumerate() {
                held = earliest(held, self.handle(i, got, out));
            }
        }
        if self.rings.len() != before {
            held = earliest(held, self.read_rings(out));
        }
        held
    }

    /// `pid` is gone (reaped): what its ring holds is all it will ever
    /// send, and a hold it left is void.
    pub fn close(&mut self, pid: i32, out: &mut Vec<Event>) {
        if self.rings.contains_key(&pid) {
            self.read_rings(out);
        }
        self.forget(pid);
    }

    /// A process that ended sends nothing more: its ring is let go.
    pub fn forget(&mut self, pid: i32) {
        self.rings.remove(&pid);
        self.gates.forget(pid);
    }

    /// How many rings are being read now.
    pub fn rings(&self) -> usize {
        self.rings.len()
    }

    /// A ring's writer is busy (see `Ring::was_busy`).
    pub fn rings_busy(&self) -> bool {
        self.rings.values().any(|(ring, _)| ring.was_busy())
    }

    /// Drain every ring; the earliest hold among them, each read just
    /// before its ring is drained.
    fn read_rings(&mut self, out: &mut Vec<Event>) -> Option<u64> {
        let counters = &self.counters;
        let mut held = None;
        for (&pid, (ring, templates)) in self.rings.iter_mut() {
            held = earliest(held, ring.hold());
            ring.drain(|record| {
                let event = match record {
                    Record::Json(bytes) => decode(bytes).ok(),
                    Record::Template(head) => {
                        if !templates.define(head) {
                            counters.malformed.fetch_add(1, Ordering::Relaxed);
                        }
                        return;
                    }
                    Record::Compact { template, t, value } => templates.expand(template, t, value),
                };
                match event {
                    Some(event) if event.body.is_supervisor() => {
                        counters.rejected.fetch_add(1, Ordering::Relaxed);
                    }
                    Some(mut event) => {
                        attribute(&mut event, pid);
                        counters.events.fetch_add(1, Ordering::Relaxed);
                        out.push(event);
                    }
                    None => {
                        counters.malformed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
            if ring.is_broken() {
                counters.malformed.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.rings.retain(|_, (r, _)| !r.is_broken());
        held
    }

    /// One datagram: an event, a ring or a gate. The earliest hold of the
    /// rings read because of it, if any.
    fn handle(&mut self, slot: usize, got: Received, out: &mut Vec<Event>) -> Option<u64> {
        if got.len > MAX_DATAGRAM {
            self.counters.malformed.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        let Some(sender) = got.creds.filter(|c| self.accept(c)).map(|c| c.pid()) else {
            self.counters.rejected.fetch_add(1, Ordering::Relaxed);
            return None;
        };
        let bytes = &self.bufs[slot][..got.len];
        if bytes == RING_ANNOUNCEMENT {
            return self.take_ring(sender, got.fds, out);
        }
        if bytes == GATE_ANNOUNCEMENT {
            match got.fds.into_iter().next() {
                Some(fd) => self.gates.take(sender, fd),
                None => {
                    self.counters.malformed.fetch_add(1, Ordering::Relaxed);
                }
            }
            return None;
        }
        match decode(bytes) {
            Ok(event) if event.body.is_supervisor() => {
                self.counters.rejected.fetch_add(1, Ordering::Relaxed);
            }
            Ok(mut event) => {
                attribute(&mut event, sender);
                self.counters.events.fetch_add(1, Ordering::Relaxed);
                out.push(event);
            }
            Err(_) => {
                self.counters.malformed.fetch_add(1, Ordering::Relaxed);
            }
        }
        None
    }

    /// `pid` passed its ring: read it from now on (what a ring it had
    /// before still holds comes first).
    fn take_ring(&mut self, pid: i32, fds: Vec<OwnedFd>, out: &mut Vec<Event>) -> Option<u64> {
        let Some(ring) = fds.into_iter().next().and_then(|fd| Ring::map(fd).ok()) else {
            self.counters.malformed.fetch_add(1, Ordering::Relaxed);
            return None;
        };
        let held = match self.rings.contains_key(&pid) {
            true => self.read_rings(out),
            false => None,
        };
        self.rings.insert(pid, (ring, Templates::default()));
        held
    }

    /// The datagrams waiting now, up to BATCH (empty when none).
    fn recv_batch(&mut self) -> Vec<Received> {
        let fd = self.sock.as_raw_fd();
        // The kernel shrinks each header's control length to what the last
        // datagram carried: fresh headers, so a ring's memfd always fits.
        self.headers = headers();
        loop {
            let mut slices: Vec<[IoSliceMut<'_>; 1]> =
                self.bufs.iter_mut().map(|b| [IoSliceMut::new(b)]).collect();
            // MSG_TRUNC: report a datagram's real length even when it did not fit.
            let flags = MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_TRUNC;
            return match recvmmsg(fd, &mut self.headers, slices.iter_mut(), flags, None) {
                Ok(results) => results
                    .map(|r| Received {
                        len: r.bytes,
                        creds: creds_of(&r),
                        fds: fds_of(&r),
                    })
                    .collect(),
                Err(Errno::EINTR) => continue,
                Err(_) => Vec::new(),
            };
        }
    }

    fn accept(&mut self, creds: &UnixCredentials) -> bool {
        if creds.uid() != self.uid {
            return false;
        }
        let Some(stat) = procfs::stat(creds.pid()) else {
            // Already gone: it cannot be checked. Only our uid can reach
            // the socket (it lives in a 0700 folder).
            return true;
        };
        let key = (stat.pid, stat.starttime);
        if let Some(v) = self.verdicts.get(&key) {
            return *v;
        }
        let verdict = self.members.owns(&stat);
        if verdict && stat.pgid != self.members.pgid {
            self.members.add_escapee(&stat);
        }
        if self.verdicts.len() > 65_536 {
            self.verdicts.clear();
        }
        self.verdicts.insert(key, verdict);
        verdict
    }
}

/// The event is about its sender: the kernel says who that is. A process
/// reports the exit of a child it reaped as the child's event, `by` itself.
/// No event was made in the future: a later time is today's (events are
/// released in time order, and one dated far ahead would wait forever).
fn attribute(event: &mut Event, sender: i32) {
    event.t = event.t.min(super::now_ns());
    match &mut event.body {
        Body::ProcExit { by, .. } => *by = Some(sender),
        _ => event.pid = sender,
    }
}

/// The earlier of two holds.
fn earliest(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Room for one batch of datagrams: each with its sender's credentials
/// and one passed descriptor.
fn headers() -> MultiHeaders<()> {
    MultiHeaders::preallocate(BATCH, Some(nix::cmsg_space!(UnixCredentials, [RawFd; 1])))
}

/// The descriptors a datagram passed, owned (so closed unless kept).
fn fds_of(msg: &RecvMsg<'_, '_, ()>) -> Vec<OwnedFd> {
    let Ok(cmsgs) = msg.cmsgs() else {
        return Vec::new();
    };
    cmsgs
        .filter_map(|m| match m {
            ControlMessageOwned::ScmRights(fds) => Some(fds),
            _ => None,
        })
        .flatten()
        // SAFETY: the kernel just installed these descriptors for us.
        .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) })
        .collect()
}

fn creds_of(msg: &RecvMsg<'_, '_, ()>) -> Option<UnixCredentials> {
    msg.cmsgs().ok()?.find_map(|m| match m {
        ControlMessageOwned::ScmCredentials(cred) => Some(cred),
        _ => None,
    })
}
