//! Readers for the run's stdout/stderr pipes. Python-level output travels
//! as events; what still arrives here (os.write, C extensions, programs the
//! script starts, interpreter crashes) becomes `write` events with pid 0.

use std::io::Read;

use crossbeam_channel::Sender;

use super::now_ns;
use crate::protocol::{Body, Event};

pub fn forward(mut pipe: impl Read, fd: u8, tx: Sender<Event>) {
    let mut buf = [0u8; 8192];
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let n = match pipe.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        pending.extend_from_slice(&buf[..n]);
        // Keep an incomplete UTF-8 sequence for the next read.
        let cut = utf8_prefix_len(&pending);
        let text = String::from_utf8_lossy(&pending[..cut]).into_owned();
        pending.drain(..cut);
        if !text.is_empty() {
            let _ = tx.send(Event {
                pid: 0,
                t: now_ns(),
                body: Body::Write { fd, text },
            });
        }
    }
    if !pending.is_empty() {
        let text = String::from_utf8_lossy(&pending).into_owned();
        let _ = tx.send(Event {
            pid: 0,
            t: now_ns(),
            body: Body::Write { fd, text },
        });
    }
}

/// Length of the longest prefix that does not end inside a UTF-8 sequence.
fn utf8_prefix_len(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => bytes.len(),
    }
}
