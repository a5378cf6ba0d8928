//! `forklore export`: real runs recorded, then converted. A Perfetto trace
//! whose structure a trace viewer accepts and whose numbers are the run's;
//! web pages of the bundled recordings, self-contained and small; clear
//! errors for bad input.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use common::*;
use forklore::protocol::{Body, Event};
use serde_json::Value;

/// `forklore export FILE --FORMAT -o OUT`; the command must succeed.
fn export(recording: &Path, format: &str, out: &Path) {
    let output = forklore()
        .arg("export")
        .arg(recording)
        .args([format, "--lang", "en", "-o"])
        .arg(out)
        .output()
        .expect("forklore runs");
    assert!(
        output.status.success(),
        "export {format} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A real run of `fixture` recorded, and its Perfetto trace.
fn traced(fixture_name: &str) -> (Vec<Event>, Vec<Value>) {
    let run = run_headless(&fixture(fixture_name), &[], &[]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("run.jsonl");
    std::fs::write(&rec, &run.recording).unwrap();
    let out = dir.path().join("trace.json");
    export(&rec, "--perfetto", &out);
    let trace: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let events = trace["traceEvents"]
        .as_array()
        .expect("traceEvents")
        .clone();
    (run.events, events)
}

/// What a trace viewer needs of the structure, checked on its own terms.
fn assert_well_formed(recording: &[Event], trace: &[Value]) {
    let mut open: HashMap<(i64, i64), Vec<&str>> = HashMap::new();
    for e in trace {
        let ph = e["ph"].as_str().expect("every event has a phase");
        assert!(["M", "X", "B", "E", "i", "C"].contains(&ph), "{e}");
        let track = (e["pid"].as_i64().unwrap(), e["tid"].as_i64().unwrap_or(0));
        match ph {
            "X" => assert!(
                e["dur"].as_f64().is_some_and(|d| d >= 0.0),
                "an X has a duration: {e}"
            ),
            "B" => open
                .entry(track)
                .or_default()
                .push(e["name"].as_str().unwrap()),
            "E" => assert!(
                open.entry(track).or_default().pop().is_some(),
                "an E ends a B: {e}"
            ),
            _ => {}
        }
    }
    assert!(
        open.values().all(Vec::is_empty),
        "every B has its E: {open:?}"
    );
    assert_slices_nest(trace);
    assert_flows_pair(trace);
    assert_every_pid_named(recording, trace);
}

/// A slice: start, end, name.
type Slice<'a> = (f64, f64, &'a str);

/// On each track, slices nest: one that starts inside another ends inside it.
fn assert_slices_nest(trace: &[Value]) {
    let mut tracks: BTreeMap<(i64, i64), Vec<Slice>> = BTreeMap::new();
    for e in trace.iter().filter(|e| e["ph"] == "X") {
        let (ts, dur) = (e["ts"].as_f64().unwrap(), e["dur"].as_f64().unwrap());
        let track = (e["pid"].as_i64().unwrap(), e["tid"].as_i64().unwrap());
        tracks
            .entry(track)
            .or_default()
            .push((ts, ts + dur, e["name"].as_str().unwrap()));
    }
    for (track, mut slices) in tracks {
        slices.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
        let mut stack: Vec<Slice> = Vec::new();
        for s in slices {
            // ts + dur is a float sum: allow its rounding.
            while stack.last().is_some_and(|top| top.1 <= s.0 + 1e-6) {
                stack.pop();
            }
            if let Some(top) = stack.last() {
                assert!(
                    s.1 <= top.1 + 1e-6,
                    "{track:?}: {s:?} overlaps {top:?} without nesting"
                );
            }
            stack.push(s);
        }
    }
}

/// Every arrow has one start and one end, and goes forward in time.
fn assert_flows_pair(trace: &[Value]) {
    let mut ends: HashMap<&str, (Vec<f64>, Vec<f64>)> = HashMap::new();
    for e in trace.iter().filter(|e| e.get("bind_id").is_some()) {
        let id = e["bind_id"].as_str().unwrap();
        let ts = e["ts"].as_f64().unwrap();
        let entry = ends.entry(id).or_default();
        match (e.get("flow_out"), e.get("flow_in")) {
            (Some(Value::Bool(true)), None) => entry.0.push(ts),
            (None, Some(Value::Bool(true))) => entry.1.push(ts),
            _ => panic!("a bound slice is a flow's start or its end: {e}"),
        }
    }
    for (id, (outs, ins)) in &ends {
        assert_eq!((outs.len(), ins.len()), (1, 1), "flow {id}");
        assert!(outs[0] <= ins[0], "flow {id} goes back in time");
    }
}

/// Every process of the recording has a name "PID …" in the trace.
fn assert_every_pid_named(recording: &[Event], trace: &[Value]) {
    let named: HashMap<i64, String> = trace
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "process_name")
        .map(|e| {
            (
                e["pid"].as_i64().unwrap(),
                e["args"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut pids: HashSet<i32> = recording
        .iter()
        .map(|e| e.pid)
        .filter(|p| *p != 0)
        .collect();
    pids.extend(recording.iter().filter_map(|e| match &e.body {
        Body::ProcSpawn { child, .. } => Some(*child),
        _ => None,
    }));
    for pid in pids {
        let name = named
            .get(&i64::from(pid))
            .unwrap_or_else(|| panic!("pid {pid} has no name"));
        assert!(name.starts_with(&format!("{pid} ")), "{name}");
    }
    for e in trace.iter().filter(|e| e["ph"] != "M") {
        assert!(
            named.contains_key(&e["pid"].as_i64().unwrap()),
            "an unnamed process: {e}"
        );
    }
}

fn slices<'a>(trace: &'a [Value], cat: &str) -> Vec<&'a Value> {
    trace
        .iter()
        .filter(|e| e["ph"] == "X" && e["cat"] == cat)
        .collect()
}

#[test]
fn a_pool_map_trace_has_one_slice_per_chunk_covering_every_item_once() {
    let (recording, trace) = traced("pool_map.py");
    assert_well_formed(&recording, &trace);
    let chunks = slices(&trace, "chunk");
    let (items, chunk_count) = recording
        .iter()
        .find_map(|e| match e.body {
            Body::Map { items, chunks, .. } => Some((items, chunks)),
            _ => None,
        })
        .expect("a map event");
    assert_eq!(chunks.len() as u64, chunk_count);
    let ranges: Vec<(u64, u64, i32)> = chunks
        .iter()
        .map(|c| {
            let arg = |k: &str| c["args"][k].as_u64().unwrap();
            (arg("start"), arg("end"), c["pid"].as_i64().unwrap() as i32)
        })
        .collect();
    assert_covers_once(&ranges, items);
    let workers: HashSet<i32> = recording
        .iter()
        .filter(|e| matches!(&e.body, Body::ProcStart { role, .. } if *role == forklore::protocol::Role::PoolWorker))
        .map(|e| e.pid)
        .collect();
    for c in &chunks {
        let pid = c["pid"].as_i64().unwrap() as i32;
        assert!(
            workers.contains(&pid),
            "chunk worked on in a pool worker: {c}"
        );
        assert!(c["dur"].as_f64().unwrap() > 0.0, "a chunk takes time: {c}");
        assert_eq!(c["args"]["ok"], true);
    }
}

#[test]
fn a_queue_trace_has_an_arrow_from_each_put_to_its_get() {
    let (recording, trace) = traced("queue_ops.py");
    assert_well_formed(&recording, &trace);
    let gets = recording
        .iter()
        .filter(|e| {
            matches!(
                &e.body,
                Body::Queue {
                    op: forklore::protocol::QueueOp::Get,
                    ..
                }
            )
        })
        .count();
    assert_eq!(gets, 5, "the fixture gets five items");
    let arrows = trace.iter().filter(|e| e.get("flow_in").is_some()).count();
    assert_eq!(arrows, gets, "every item got was matched to its put");
}

#[test]
fn a_manager_trace_has_an_arrow_from_each_call_to_the_server() {
    let (recording, trace) = traced("manager_dict.py");
    assert_well_formed(&recording, &trace);
    let server = recording
        .iter()
        .find(|e| matches!(e.body, Body::Manager { .. }))
        .expect("a Manager server")
        .pid;
    let calls = recording
        .iter()
        .filter(|e| matches!(e.body, Body::Proxy { .. }))
        .count();
    let served: Vec<&Value> = trace
        .iter()
        .filter(|e| e["ph"] == "X" && e["cat"] == "manager" && e["pid"] == server)
        .collect();
    assert_eq!(served.len(), calls);
    assert!(served.iter().all(|s| s["flow_in"] == true));
    let held = slices(&trace, "lock");
    assert_eq!(
        held.len(),
        9,
        "three processes take the lock three times each"
    );
}

#[test]
fn the_bundled_recordings_make_small_self_contained_pages() {
    let dir = tempfile::tempdir().unwrap();
    let recordings = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/recordings");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&recordings)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let lessons = forklore::lesson::Catalog::embedded().unwrap().lessons.len();
    assert_eq!(files.len(), lessons, "one recording per lesson");
    for rec in files {
        let out = dir.path().join("page.html");
        export(&rec, "--html", &out);
        let page = std::fs::read_to_string(&out).unwrap();
        let kb = page.len() / 1024;
        eprintln!("{}: {kb} KB", rec.display());
        assert!(page.len() < 2 * 1024 * 1024, "{}: {kb} KB", rec.display());
        for external in ["src=", "href=", "<link", "@import", "url("] {
            assert!(
                !page.contains(external),
                "{}: fetches something ({external})",
                rec.display()
            );
        }
        assert!(page.contains(r#"<script type="application/json" id="forklore-movie">"#));
    }
}

#[test]
fn bad_input_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let err = usage_error(
        forklore()
            .args(["export", "/nonexistent.jsonl", "--html", "-o"])
            .arg(dir.path().join("x.html")),
    );
    assert!(err.contains("/nonexistent.jsonl"), "{err}");
    let broken = dir.path().join("broken.jsonl");
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/recordings/chunked-map.jsonl");
    let text = std::fs::read_to_string(good).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[2] = "{\"kind\":\"chunk_take\",";
    std::fs::write(&broken, lines.join("\n")).unwrap();
    for format in ["--html", "--perfetto", "--cast"] {
        let err = usage_error(
            forklore()
                .arg("export")
                .arg(&broken)
                .args([format, "-o"])
                .arg(dir.path().join("out")),
        );
        assert!(
            err.contains(&format!("{}:3:", broken.display())),
            "{format}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let err = usage_error(
        forklore()
            .args(["export", "--html", "-o", "/nonexistent/dir/x.html"])
            .arg(recordings_file()),
    );
    assert!(
        err.contains("cannot write /nonexistent/dir/x.html"),
        "{err}"
    );
    let huge = ["export", "--html", "--size", "60000x60000", "-o", "x.html"];
    let err = usage_error(forklore().args(huge).arg(recordings_file()));
    assert!(err.contains("at most 1000x1000"), "{err}");
    let err = usage_error(
        forklore()
            .args(["export", "-o", "x"])
            .arg(recordings_file()),
    );
    assert!(
        err.contains("--html") && err.contains("--perfetto"),
        "a format is required: {err}"
    );
}

fn recordings_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/recordings/daemon-join.jsonl")
}

#[test]
fn the_bundled_recordings_make_well_formed_traces() {
    let dir = tempfile::tempdir().unwrap();
    let recordings = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/recordings");
    for entry in std::fs::read_dir(recordings).unwrap() {
        let rec = entry.unwrap().path();
        let out = dir.path().join("trace.json");
        export(&rec, "--perfetto", &out);
        let trace: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        let events = forklore::record::read(&rec).unwrap();
        assert_well_formed(&events, trace["traceEvents"].as_array().unwrap());
    }
}
