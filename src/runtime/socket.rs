//! The event socket: receives datagrams with the sender's credentials,
//! rejects strangers, decodes, and forwards events in arrival order.

use std::collections::HashMap;
use std::io::IoSliceMut;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::os::unix::net::UnixDatagram;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use nix::errno::Errno;
use nix::sys::socket::{
    recvmmsg, setsockopt, sockopt, ControlMessageOwned, MsgFlags, MultiHeaders, RecvMsg,
    UnixCredentials,
};

use super::members::Members;
use super::procfs;
use crate::protocol::{decode, Body, ChunkPositions, Event, MAX_DATAGRAM};

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
/// (the kernel's word, not the datagram's), and kinds only forklore itself
/// makes (`run_end`…) are refused.
pub struct Receiver {
    sock: UnixDatagram,
    members: Members,
    uid: u32,
    /// Verdicts per process, by (pid, start time): a pid reused by another
    /// process is judged again.
    verdicts: HashMap<(i32, u64), bool>,
    positions: ChunkPositions,
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
}

impl Receiver {
    /// `sock` must have been through [`prepare`].
    pub fn new(sock: UnixDatagram, members: Members, counters: Arc<Counters>) -> Self {
        Receiver {
            sock,
            members,
            uid: nix::unistd::getuid().as_raw(),
            verdicts: HashMap::new(),
            positions: ChunkPositions::default(),
            bufs: vec![vec![0u8; MAX_DATAGRAM + 1]; BATCH],
            headers: MultiHeaders::preallocate(BATCH, Some(nix::cmsg_space!(UnixCredentials))),
            counters,
        }
    }

    pub fn fd(&self) -> BorrowedFd<'_> {
        use std::os::fd::AsFd;
        self.sock.as_fd()
    }

    /// Read every datagram waiting now; call `deliver` for each good event.
    pub fn drain(&mut self, mut deliver: impl FnMut(Event)) {
        loop {
            let batch = self.recv_batch();
            if batch.is_empty() {
                return;
            }
            for (i, got) in batch.iter().enumerate() {
                self.handle(i, got, &mut deliver);
            }
        }
    }

    fn handle(&mut self, slot: usize, got: &Received, deliver: &mut impl FnMut(Event)) {
        if got.len > MAX_DATAGRAM {
            self.counters.malformed.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let Some(sender) = got.creds.filter(|c| self.accept(c)).map(|c| c.pid()) else {
            self.counters.rejected.fetch_add(1, Ordering::Relaxed);
            return;
        };
        match decode(&self.bufs[slot][..got.len]) {
            Ok(event) if event.body.is_supervisor() => {
                self.counters.rejected.fetch_add(1, Ordering::Relaxed);
            }
            Ok(mut event) => {
                attribute(&mut event, sender);
                self.positions.enrich(&mut event);
                self.counters.events.fetch_add(1, Ordering::Relaxed);
                deliver(event);
            }
            Err(_) => {
                self.counters.malformed.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// The datagrams waiting now, up to BATCH (empty when none).
    fn recv_batch(&mut self) -> Vec<Received> {
        let fd = self.sock.as_raw_fd();
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
fn attribute(event: &mut Event, sender: i32) {
    match &mut event.body {
        Body::ProcExit { by, .. } => *by = Some(sender),
        _ => event.pid = sender,
    }
}

fn creds_of(msg: &RecvMsg<'_, '_, ()>) -> Option<UnixCredentials> {
    msg.cmsgs().ok()?.find_map(|m| match m {
        ControlMessageOwned::ScmCredentials(cred) => Some(cred),
        _ => None,
    })
}
