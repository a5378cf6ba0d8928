//! Memory stays bounded whatever the run or the reader does: a reader that
//! stalls makes the run wait, and a big recording replays from disk.

mod common;

use std::io::Read;
use std::process::Stdio;
use std::time::Duration;

use common::*;

/// Peak resident memory of a live process, in kB.
fn peak_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(0)
}

/// forklore's output piped to a reader that does not read for 5 s while
/// the script prints flat out: forklore's memory stays put (the script is
/// made to wait), and nothing is lost once the reader reads.
#[test]
fn a_stalled_reader_does_not_grow_forklores_memory() {
    let mut child = forklore()
        .args(["run", "--headless"])
        .arg(fixture("print_flood.py"))
        .args(["--", "4"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(5));
    let peak = peak_kb(child.id());
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(child.wait().unwrap().success());
    // Unbounded, the socket drained into memory grew by ~17 MB/s.
    eprintln!("stalled reader: peak {peak} kB");
    assert!(
        peak < 48 * 1024,
        "forklore grew to {peak} kB while its reader stalled"
    );
    let printed: usize = out
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("printed "))
        .and_then(|n| n.parse().ok())
        .expect("the last line");
    assert_eq!(out.lines().count(), printed + 1, "every line arrived");
}

/// A recording of ~80 MB replays (headless and to asciicast) in a few MB:
/// it is read from disk as it plays, not loaded whole.
#[test]
fn a_big_recording_replays_in_little_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let mut text = String::from(concat!(
        r#"{"kind":"hello","v":2,"python":"3.11.7","start_method":"fork","script":"/x.py","#,
        r#""replay":{"title":"big","source":"print('x')\n","cols":120,"rows":35},"pid":10,"t":0}"#,
        "\n"
    ));
    let line = "x".repeat(150);
    for i in 0..500_000u64 {
        text.push_str(&format!(
            "{{\"kind\":\"write\",\"fd\":1,\"text\":\"{line} {i}\\n\",\"pid\":10,\"t\":{}}}\n",
            1000 + i
        ));
    }
    text.push_str(r#"{"kind":"run_end","exitcode":0,"pid":10,"t":600000}"#);
    std::fs::write(&path, &text).unwrap();
    assert!(text.len() > 80_000_000);
    drop(text);
    for args in [
        vec!["replay", "--headless"],
        vec!["cast", "--speed", "1000000", "-o", "/dev/null"],
    ] {
        let mut child = forklore()
            .args(&args)
            .arg(&path)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut peak = 0;
        while child.try_wait().unwrap().is_none() {
            peak = peak.max(peak_kb(child.id()));
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(child.wait().unwrap().success(), "{args:?}");
        eprintln!("{args:?}: peak {peak} kB");
        assert!(
            peak < 64 * 1024,
            "{args:?}: {peak} kB for an 80 MB recording"
        );
    }
}
