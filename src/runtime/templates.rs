//! A ring's templates: the hot paths' events (a lock in a loop, a shared
//! Value's reads and writes) travel as a template number, a time and a
//! value (the shim's `transport.py` describes the records). Each template
//! is decoded once, when its process defines it; a compact event is then a
//! copy of that event with its own time and value, without JSON.

use crate::protocol::{decode, Body, Event};

/// Templates kept per ring at most (the shim defines fewer): a process
/// that sends more gets its later ones refused, not memory.
pub const MAX_TEMPLATES: usize = 4096;

#[derive(Default)]
pub struct Templates {
    /// By number, in the order the ring defined them; None for one that did
    /// not decode (its compact events are malformed).
    protos: Vec<Option<Event>>,
}

impl Templates {
    /// The ring's next template. False if it is refused (too many, or not
    /// an event whose last field is a value forklore can fill in).
    pub fn define(&mut self, head: &[u8]) -> bool {
        if self.protos.len() >= MAX_TEMPLATES {
            return false;
        }
        let proto = prototype(head);
        let ok = proto.is_some();
        self.protos.push(proto);
        ok
    }

    /// The event compact record `n` stands for; None if `n` is not a
    /// template of this ring that decoded.
    pub fn expand(&self, n: u32, t: u64, value: Option<i64>) -> Option<Event> {
        let proto = self.protos.get(n as usize)?.as_ref()?;
        let mut event = proto.clone();
        event.t = t;
        event.body.fill_value(value).then_some(event)
    }
}

/// The template's event, with a placeholder value: the value is a number
/// in some events (a semaphore's) and text in others (a Value's repr).
fn prototype(head: &[u8]) -> Option<Event> {
    ["0", "\"0\""].iter().find_map(|placeholder| {
        let mut text = head.to_vec();
        text.extend_from_slice(placeholder.as_bytes());
        text.extend_from_slice(br#","pid":0,"t":0}"#);
        let mut event = decode(&text).ok()?;
        event.body.fill_value(Some(0)).then_some(event)
    })
}

impl Body {
    /// Set the value a template leaves open. False for kinds that have
    /// none a compact event may carry (anything but `sync`, `shared`,
    /// `line`, `chunk_take` and `chunk_done`).
    pub fn fill_value(&mut self, v: Option<i64>) -> bool {
        match self {
            Body::Sync { value, .. } => *value = v,
            Body::Shared { value, .. } => match v {
                Some(v) => *value = v.to_string(),
                None => return false,
            },
            Body::Line { line, .. } => match v.and_then(|v| u32::try_from(v).ok()) {
                Some(v) => *line = v,
                None => return false,
            },
            Body::ChunkTake { index, .. } | Body::ChunkDone { index, .. } => {
                match v.and_then(|v| u64::try_from(v).ok()) {
                    Some(v) => *index = v,
                    None => return false,
                }
            }
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &[u8] =
        br#"{"kind":"sync","id":"h1","type":"Lock","name":"lock","op":"acquired","value":"#;
    const VALUE: &[u8] =
        br#"{"kind":"shared","id":"h2","type":"Value","name":"counter","op":"read","value":"#;

    #[test]
    fn a_lock_event_and_a_value_read_come_back_whole() {
        let mut templates = Templates::default();
        assert!(templates.define(LOCK));
        assert!(templates.define(VALUE));
        let lock = templates.expand(0, 7, Some(0)).unwrap();
        assert_eq!(lock.t, 7);
        assert!(matches!(lock.body, Body::Sync { value: Some(0), .. }));
        let read = templates.expand(1, 9, Some(41)).unwrap();
        assert!(matches!(&read.body, Body::Shared { value, .. } if value == "41"));
        // A Value's read is never null; a semaphore's value may be.
        assert!(templates.expand(1, 9, None).is_none());
        assert!(matches!(
            templates.expand(0, 9, None).unwrap().body,
            Body::Sync { value: None, .. }
        ));
    }

    #[test]
    fn templates_that_are_not_events_or_have_no_value_are_refused() {
        let mut templates = Templates::default();
        assert!(!templates.define(b"not json"));
        assert!(!templates.define(br#"{"kind":"proc_end","exitcode":"#));
        assert!(templates.expand(0, 1, Some(1)).is_none());
        assert!(templates.expand(99, 1, Some(1)).is_none());
        for _ in 1..MAX_TEMPLATES {
            templates.define(LOCK);
        }
        assert!(!templates.define(LOCK), "no more than MAX_TEMPLATES");
    }
}
