//! Decoding: how long forklore takes to turn one event's JSON into an
//! `Event`, for the kinds a busy run sends most. `cargo bench --bench decode`.

use std::hint::black_box;
use std::time::Instant;

use forklore::protocol::decode;

const SAMPLES: &[(&str, &str)] = &[
    (
        "sync",
        r#"{"kind":"sync","id":"h7f3a2c001000","type":"Lock","name":"lock","op":"acquired","value":0,"pid":4242,"t":123456789012345}"#,
    ),
    (
        "line",
        r#"{"kind":"line","file":"/home/learner/main.py","line":23,"pid":4242,"t":123456789012345}"#,
    ),
    (
        "write",
        r#"{"kind":"write","fd":1,"text":"Pid: 4242 LoopCount: 3\n","pid":4242,"t":123456789012345}"#,
    ),
];

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    const N: u32 = 500_000;
    for (kind, text) in SAMPLES {
        decode(text.as_bytes()).expect("a valid sample");
        let start = Instant::now();
        for _ in 0..N {
            black_box(decode(black_box(text.as_bytes())).ok());
        }
        let ns = start.elapsed().as_nanos() as f64 / N as f64;
        println!("decode {kind:<6} {ns:>7.0} ns/event");
    }
}
