//! `--slow F` with real python3: a program that only computes is
//! stretched about F times (each checkpoint waits F - 1 times the CPU time
//! since the previous one), and sleeps are stretched F times, once.

mod common;

use common::*;

/// (wall, cpu) seconds of the script's compute part and sleep part, as
/// the script itself measured them.
fn parts(stdout: &str) -> [(f64, f64); 2] {
    let part = |name: &str| {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no `{name}` line in {stdout}"));
        let n: Vec<f64> = line
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        (n[0], n[1])
    };
    [part("compute"), part("sleep")]
}

#[test]
fn slow_motion_stretches_computing_and_sleeping_once_each() {
    let script = fixture("cpu_bound.py");
    let plain = run_headless(&script, &[], &[]);
    let slow = run_headless(&script, &["--slow", "4"], &[]);
    assert_eq!((plain.code(), slow.code()), (Some(0), Some(0)));
    let [(wall, cpu), _] = parts(&plain.stdout());
    let [(slow_wall, slow_cpu), (sleep_wall, _)] = parts(&slow.stdout());
    // Each step's 40 ms of computing was followed by a 120 ms wait: the
    // wall time per CPU second grows by about 3 (whatever else the
    // machine is busy with, which slows both runs alike).
    let stretch = slow_wall / slow_cpu - wall / cpu;
    assert!(
        (2.0..4.5).contains(&stretch),
        "compute: {wall:.3}s for {cpu:.3}s CPU, slowed {slow_wall:.3}s for {slow_cpu:.3}s"
    );
    // Five sleeps of 40 ms last 4 × 0.2 s; they are not work, so the
    // checkpoints after them do not wait again (that would be 1.4 s).
    assert!(
        (0.75..1.1).contains(&sleep_wall),
        "sleep part took {sleep_wall:.3}s"
    );
    // The program's own output is the same, timings aside.
    let steps = |out: &str| out.lines().filter(|l| *l == "step").count();
    assert_eq!(steps(&slow.stdout()), 10);
    assert_eq!(steps(&plain.stdout()), 10);
}
