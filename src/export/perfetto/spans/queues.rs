//! Queues in a trace: puts, gets, the waits on a full or empty queue, and
//! an arrow from each put to the get that took its item.

use std::collections::VecDeque;

use serde_json::json;

use super::{Builder, Open};
use crate::export::perfetto::timeline::Flow;
use crate::protocol::{Event, QueueOp};

impl Builder<'_> {
    pub(super) fn queue(
        &mut self,
        e: &Event,
        id: &str,
        label: &str,
        op: QueueOp,
        item: Option<&str>,
    ) {
        let pid = e.pid;
        let id = id.to_string();
        let item_text = item.unwrap_or("?");
        let a = json!({"id": id, "item": item});
        match op {
            QueueOp::Put => {
                let name = format!("put {item_text} on {label}");
                let i = if self.v1 {
                    self.span((pid, e.t), name, "queue", a)
                } else {
                    self.begin(
                        Open::Puts {
                            pid,
                            id: id.clone(),
                        },
                        e,
                        name,
                        "queue",
                        a,
                    )
                };
                let key = (id, item_text.to_string());
                self.in_queue.entry(key).or_default().push_back(i);
            }
            QueueOp::PutBlocked => {
                let name = format!("waits: {label} is full");
                self.begin(Open::WaitsPut { pid, id }, e, name, "wait", a);
            }
            QueueOp::PutDone | QueueOp::PutFailed => {
                self.end(
                    &Open::WaitsPut {
                        pid,
                        id: id.clone(),
                    },
                    e.t,
                );
                let put = self.end(
                    &Open::Puts {
                        pid,
                        id: id.clone(),
                    },
                    e.t,
                );
                if let (QueueOp::PutFailed, Some(put)) = (op, put) {
                    // Its item never went in: no get will take it.
                    let key = (id, item_text.to_string());
                    if let Some(waiting) = self.in_queue.get_mut(&key) {
                        waiting.retain(|i| *i != put);
                    }
                }
            }
            QueueOp::GetBlocked => {
                let name = format!("waits: {label} is empty");
                self.begin(Open::WaitsGet { pid, id }, e, name, "wait", a);
            }
            QueueOp::Get => {
                self.end(
                    &Open::WaitsGet {
                        pid,
                        id: id.clone(),
                    },
                    e.t,
                );
                let got = self.span(
                    (pid, e.t),
                    format!("get {item_text} from {label}"),
                    "queue",
                    a,
                );
                let put = self
                    .in_queue
                    .get_mut(&(id, item_text.to_string()))
                    .and_then(VecDeque::pop_front);
                if let Some(from) = put {
                    self.tl.flows.push(Flow { from, to: got });
                }
            }
            QueueOp::GetFailed => {
                self.end(&Open::WaitsGet { pid, id }, e.t);
            }
            QueueOp::TaskDone => {
                self.moment(e, format!("task_done() on {label}"), "queue", a);
            }
            QueueOp::Join => {
                let name = format!("waits in {label}.join()");
                self.begin(Open::WaitsJoin { pid, id }, e, name, "wait", a);
            }
            QueueOp::Joined => {
                self.end(&Open::WaitsJoin { pid, id }, e.t);
            }
            QueueOp::Unknown => {}
        }
    }
}
