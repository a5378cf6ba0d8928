//! The long fuzz run:
//! `cargo bench --profile fuzz --bench fuzz -- [INPUTS] [SEED]`
//! (default 10,000,000 inputs, seed 1). Prints inputs per second and the
//! peak memory of the run; a panic is a finding, replayable from its seed.

use std::time::Instant;

fn arg(n: usize, default: u64) -> u64 {
    std::env::args()
        .filter(|a| !a.starts_with('-'))
        .nth(n)
        .and_then(|a| a.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Peak resident memory of this process, from /proc.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let inputs = arg(1, 10_000_000);
    let seed = arg(2, 1);
    let corpus = forklore::fuzz::corpus();
    let start = Instant::now();
    let report = forklore::fuzz::run(&corpus, inputs, seed);
    let secs = start.elapsed().as_secs_f64();
    println!(
        "fuzz seed {seed}: {} inputs ({} decoded, {} recordings, {} frames) in {secs:.1} s = {:.0} inputs/s, peak RSS {} KiB, no panic",
        report.inputs,
        report.decoded,
        report.recordings,
        report.frames,
        report.inputs as f64 / secs,
        peak_rss_kib()
    );
}
