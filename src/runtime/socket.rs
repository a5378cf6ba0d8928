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
    recvmsg, setsockopt, sockopt, ControlMessageOwned, MsgFlags, UnixCredentials,
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
    buf: Vec<u8>,
    pub counters: Arc<Counters>,
}

impl Receiver {
    pub fn new(sock: UnixDatagram, pgid: i32, counters: Arc<Counters>) -> std::io::Result<Self> {
        setsockopt(&sock, sockopt::PassCred, &true).map_err(std::io::Error::from)?;
        sock.set_nonblocking(true)?;
        Ok(Receiver {
            sock,
            pgid,
            uid: nix::unistd::getuid().as_raw(),
            verdicts: HashMap::new(),
            positions: ChunkPositions::default(),
            buf: vec![0u8; MAX_DATAGRAM + 1],
            counters,
        })
    }

    pub fn fd(&self) -> BorrowedFd<'_> {
        use std::os::fd::AsFd;
        self.sock.as_fd()
    }

    /// Read every datagram waiting now; call `deliver` for each good event.
    pub fn drain(&mut self, mut deliver: impl FnMut(Event)) {
        while let Some(received) = self.recv_one() {
            let Some((bytes_len, creds)) = received else {
                continue;
            };
            if !self.accept(creds) {
                self.counters.rejected.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            match decode(&self.buf[..bytes_len]) {
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
    }

    /// One datagram: `None` when nothing is waiting, `Some(None)` for a
    /// datagram that was skipped (oversized, no credentials).
    fn recv_one(&mut self) -> Option<Option<(usize, Option<UnixCredentials>)>> {
        let mut cmsg = nix::cmsg_space!(UnixCredentials);
        let mut iov = [IoSliceMut::new(&mut self.buf)];
        let result = recvmsg::<()>(
            self.sock.as_raw_fd(),
            &mut iov,
            Some(&mut cmsg),
            MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_TRUNC,
        );
        let msg = match result {
            Ok(msg) => msg,
            Err(Errno::EINTR) => return Some(None),
            Err(_) => return None,
        };
        let len = msg.bytes;
        let creds = msg.cmsgs().ok().and_then(|mut c| {
            c.find_map(|m| match m {
                ControlMessageOwned::ScmCredentials(cred) => Some(cred),
                _ => None,
            })
        });
        if len > MAX_DATAGRAM {
            self.counters.malformed.fetch_add(1, Ordering::Relaxed);
            return Some(None);
        }
        Some(Some((len, creds)))
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

/// The process group of a live (or zombie) process, from /proc.
pub fn process_group_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parens.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(2)?.parse().ok()
}
