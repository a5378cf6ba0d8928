//! Event ingest: how many events per second forklore's socket receiver
//! takes in (credentials check, decode, channel) from 1, 4 and 8 sending
//! processes. `cargo bench --bench ingest`.

use std::path::Path;
use std::time::Instant;

use forklore::protocol::Body;
use forklore::runtime::{python, Run, RunConfig};

const PER_SENDER: usize = 200_000;

fn measure(python: &Path, senders: usize) -> f64 {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scripts/flood.py");
    let config = RunConfig {
        python: python.to_path_buf(),
        script,
        args: vec![senders.to_string(), PER_SENDER.to_string()],
        slow: 1.0,
        ..RunConfig::default()
    };
    let run = Run::start(&config).expect("run starts");
    let (mut first, mut last, mut count) = (None, Instant::now(), 0usize);
    for event in run.events.iter() {
        match event.body {
            Body::Line { .. } => {
                first.get_or_insert_with(Instant::now);
                last = Instant::now();
                count += 1;
            }
            Body::RunEnd { .. } => break,
            _ => {}
        }
    }
    assert_eq!(count, senders * PER_SENDER, "every event arrived");
    count as f64 / (last - first.expect("events arrived")).as_secs_f64()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let python = python::resolve(None).expect("python3").executable;
    println!("ingest, {PER_SENDER} events per sender");
    for senders in [1, 4, 8] {
        let rate = measure(&python, senders);
        println!("{senders} sender(s): {:>9.0} events/s", rate);
    }
}
