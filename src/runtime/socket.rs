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

use crate::protocol::{decode, ChunkPositions, Event, MAX_DATAGRAM};

/// Counters of what was skipped, shared with the run's handle.
#[derive(Default, Debug)]
pub struct Counters {
    pub events: AtomicU64,
    pub malformed: AtomicU64,
    pub rejected: AtomicU64,
}

impl Counters {
    pub fn malformed(&self) -> u64 {
        self.malformed.load(Ordering::Relaxed)
    }
    pub fn rejected(&self) -> u64 {
        self.rejected.load(Ordering::Relaxed)
    }
}

/// Ask the kernel for senders' credentials and make reads non-blocking.
pub fn prepare(sock: &UnixDatagram) -> std::io::Result<()> {
    setsockopt(sock, sockopt::PassCred, &true).map_err(std::io::Error::from)?;
    sock.set_nonblocking(true)
}

/// Receives events of one run. Only members of process group `pgid` are
/// listened to: a live sender in another group is rejected. A sender that
/// is already gone cannot be checked and is accepted when it is of our uid
/// (the socket lives in a 0700 directory, so only our uid can reach it).
pub struct Receiver {
    sock: UnixDatagram,
    pgid: i32,
    uid: u32,
    verdicts: HashMap<i32, bool>,
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
    pub fn new(sock: UnixDatagram, pgid: i32, counters: Arc<Counters>) -> Self {
        Receiver {
            sock,
            pgid,
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
        if !self.accept(got.creds) {
            self.counters.rejected.fetch_add(1, Ordering::Relaxed);
            return;
        }
        match decode(&self.bufs[slot][..got.len]) {
            Ok(mut event) => {
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

    fn accept(&mut self, creds: Option<UnixCredentials>) -> bool {
        let Some(creds) = creds else { return false };
        if creds.uid() != self.uid {
            return false;
        }
        let pid = creds.pid();
        if let Some(v) = self.verdicts.get(&pid) {
            return *v;
        }
        let verdict = match process_group_of(pid) {
            Some(pgid) => pgid == self.pgid,
            None => true,
        };
        if self.verdicts.len() > 65_536 {
            self.verdicts.clear();
        }
        self.verdicts.insert(pid, verdict);
        verdict
    }
}

fn creds_of(msg: &RecvMsg<'_, '_, ()>) -> Option<UnixCredentials> {
    msg.cmsgs().ok()?.find_map(|m| match m {
        ControlMessageOwned::ScmCredentials(cred) => Some(cred),
        _ => None,
    })
}

/// The process group of a live (or zombie) process, from /proc.
pub fn process_group_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parens.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(2)?.parse().ok()
}
