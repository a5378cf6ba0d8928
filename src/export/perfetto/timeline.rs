//! What a trace is made of, before it is JSON: spans (something a process
//! did for a while), moments, values over time, and arrows between spans.

use serde_json::{Map, Value};

/// Something a process did from `start` to `end` (recorded ns).
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub pid: i32,
    pub start: u64,
    pub end: u64,
    pub name: String,
    pub cat: &'static str,
    pub args: Map<String, Value>,
}

/// A moment in a process.
#[derive(Clone, Debug, PartialEq)]
pub struct Moment {
    pub pid: i32,
    pub t: u64,
    pub name: String,
    pub cat: &'static str,
    pub args: Map<String, Value>,
}

/// A value over time (a semaphore's value, a queue's size).
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub t: u64,
    pub name: String,
    pub key: &'static str,
    pub value: i64,
}

/// An arrow from span `from` to span `to` (indices into `Timeline::spans`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flow {
    pub from: usize,
    pub to: usize,
}

#[derive(Debug, Default)]
pub struct Timeline {
    pub spans: Vec<Span>,
    pub moments: Vec<Moment>,
    pub samples: Vec<Sample>,
    pub flows: Vec<Flow>,
}
