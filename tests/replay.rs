//! Recordings replay exactly: the same output byte for byte, the same end
//! screen as the live run, stepping back and forth lands on the same screen,
//! casts are valid asciicast v2, and a broken recording is a clear error.

mod common;

use common::*;
use forklore::headless;
use forklore::lesson::Catalog;
use forklore::model::Model;
use forklore::protocol::Body;
use forklore::record::Recorder;
use forklore::replay::Replay;
use forklore::runtime::{python, Run};
use forklore::session::Session;
use forklore::ui::{self, Theme, ThemeName, UiState, View};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

/// A recorded lesson run: the recording's path (in the dir) and its stdout.
fn record_lesson(slug: &str, sets: &[&str]) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let run = run_lesson(slug, sets);
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("run.jsonl");
    std::fs::write(&rec, &run.recording).unwrap();
    (dir, rec, run.stdout())
}

fn screen(model: &Model, source: &[String]) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(120, 35)).unwrap();
    let ui_state = UiState::new(1.0);
    let view = View::new(
        model,
        &ui_state,
        Theme::new(ThemeName::Default, true),
        source,
        "replay",
    );
    terminal
        .draw(|f| {
            ui::draw(f, &view);
        })
        .unwrap();
    terminal.backend().buffer().clone()
}

#[test]
fn headless_replay_reproduces_the_output_byte_for_byte() {
    let (_dir, rec, live) = record_lesson("lock-vs-garbled", &[]);
    let out = forklore()
        .args(["replay", "--headless"])
        .arg(&rec)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), live);
    assert!(live.lines().count() >= 10);
}

#[test]
fn replay_end_screen_equals_the_live_end_screen() {
    // A live run in this process: the model the live screen would show.
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("run.jsonl");
    let python = python::resolve(None).unwrap().executable;
    let catalog = Catalog::embedded().unwrap();
    let lesson = catalog.find("chunked-map").unwrap();
    let settings = lesson
        .settings_from(&["items=300".into(), "work_ms=1".into()])
        .unwrap();
    let scripts = forklore::lesson::ScriptDir::new().unwrap();
    let config =
        forklore::lesson::session::config_for(lesson, &settings, &scripts, python).unwrap();
    let run = Run::start(&config).unwrap();
    let (_, live_model) = headless::run(
        run,
        Some(Recorder::create(&rec).unwrap()),
        Default::default(),
        &crossbeam_channel::never(),
    )
    .unwrap();

    let events = forklore::record::read(&rec).unwrap();
    let replay = Replay::new(events, lesson.manifest.beats.clone());
    let len = replay.len();
    let mut replay = Session::replay(replay);
    let source: Vec<String> = lesson.script.lines().map(str::to_string).collect();
    replay.seek(len);
    let end = screen(&replay.model, &source);
    assert_eq!(
        end,
        screen(&live_model, &source),
        "replayed end state differs from the live one"
    );

    replay.seek(len - 1);
    let before = screen(&replay.model, &source);
    assert_ne!(before, end, "the last event (run_end) changes the screen");
    replay.seek(len);
    assert_eq!(
        screen(&replay.model, &source),
        end,
        "back one step then forward: same screen"
    );

    replay.seek(len / 2);
    let middle = screen(&replay.model, &source);
    replay.seek(0);
    replay.seek(len / 2);
    assert_eq!(
        screen(&replay.model, &source),
        middle,
        "seeking is deterministic"
    );
}

#[test]
fn cast_is_asciicast_v2_with_the_recorded_pids() {
    let (dir, rec, _) = record_lesson("chunked-map", &["items=200", "work_ms=2"]);
    let cast = dir.path().join("out.cast");
    let out = forklore()
        .args(["cast"])
        .arg(&rec)
        .arg("-o")
        .arg(&cast)
        .args(["--size", "100x30"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&cast).unwrap();
    let mut lines = text.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["version"], 2);
    assert_eq!(header["width"], 100);
    assert_eq!(header["height"], 30);
    let mut last = 0.0;
    let mut frames = String::new();
    let mut markers = 0;
    for line in lines {
        let ev: serde_json::Value = serde_json::from_str(line).unwrap();
        let t = ev[0].as_f64().unwrap();
        assert!(t >= last, "timestamps never decrease: {t} after {last}");
        last = t;
        match ev[1].as_str().unwrap() {
            "o" => frames.push_str(ev[2].as_str().unwrap()),
            "m" => markers += 1,
            other => panic!("unknown event type {other}"),
        }
    }
    assert!(markers >= 3, "narration beats became markers: {markers}");
    let events = forklore::record::read(&rec).unwrap();
    let pids: std::collections::HashSet<i32> = events
        .iter()
        .filter(|e| matches!(e.body, Body::ProcStart { .. }))
        .map(|e| e.pid)
        .collect();
    for pid in pids {
        assert!(
            frames.contains(&pid.to_string()),
            "pid {pid} appears in the frames"
        );
    }
}

#[test]
fn a_broken_recording_names_the_line() {
    let (dir, rec, _) = record_lesson("daemon-join", &["daemon=true"]);
    let text = std::fs::read_to_string(&rec).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // Cut the fifth line in half, as an interrupted write would.
    let mut broken = lines[..4].join("\n");
    broken.push('\n');
    broken.push_str(&lines[4][..lines[4].len() / 2]);
    broken.push('\n');
    broken.push_str(&lines[5..].join("\n"));
    let bad = dir.path().join("broken.jsonl");
    std::fs::write(&bad, broken).unwrap();
    for cmd in [
        vec!["replay", "--headless"],
        vec!["cast", "-o", "/dev/null"],
    ] {
        let err = usage_error(forklore().args(&cmd).arg(&bad));
        assert!(
            err.contains(&format!("{}:5:", bad.display())),
            "{cmd:?}: {err}"
        );
    }
    std::fs::write(&bad, "garbage\n").unwrap();
    let err = usage_error(forklore().args(["replay", "--headless"]).arg(&bad));
    assert!(err.contains(":1:"), "{err}");
    let err = usage_error(forklore().args(["replay", "--headless", "/nonexistent.jsonl"]));
    assert!(err.contains("/nonexistent.jsonl"), "{err}");
}

#[test]
fn without_python_a_lesson_shows_its_bundled_recording() {
    let out = forklore()
        .args([
            "lesson",
            "chunked-map",
            "--headless",
            "--python",
            "/nonexistent",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/nonexistent") && err.contains("showing recorded runs"),
        "{err}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("results: 1000 items"),
        "the recorded run's output: {stdout}"
    );
    // A --python that is not Python at all is still an error.
    let err = usage_error(forklore().args([
        "lesson",
        "chunked-map",
        "--headless",
        "--python",
        "/bin/echo",
    ]));
    assert!(
        err.contains("does not look like a Python interpreter"),
        "{err}"
    );
}

#[test]
fn every_lesson_has_a_bundled_recording() {
    for lesson in Catalog::embedded().unwrap().lessons {
        let events = forklore::lesson::bundled_recording(lesson.slug()).expect("a recording");
        assert!(
            matches!(events[0].body, Body::Hello { .. }),
            "{}",
            lesson.slug()
        );
        assert!(
            matches!(events.last().unwrap().body, Body::RunEnd { .. }),
            "{}",
            lesson.slug()
        );
    }
}

#[test]
fn a_recording_keeps_parameter_types() {
    use forklore::lesson::Settings;
    use forklore::protocol::ParamValue;
    let sets = ["items=200", "work_ms=1.5"];
    let (_dir, rec, _) = record_lesson("chunked-map", &sets);
    let text = std::fs::read_to_string(&rec).unwrap();
    let hello: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let written = &hello["replay"]["params"];
    assert!(
        written["items"].is_i64(),
        "an integer in the file: {written}"
    );
    assert!(
        written["work_ms"].is_f64(),
        "a number in the file: {written}"
    );

    let replay = Replay::new(forklore::record::read(&rec).unwrap(), Vec::new());
    assert_eq!(replay.meta.params["items"], ParamValue::Int(200));
    assert_eq!(replay.meta.params["chunksize"], ParamValue::Int(0));
    assert_eq!(replay.meta.params["work_ms"], ParamValue::Float(1.5));
    let lesson = Catalog::embedded()
        .unwrap()
        .find("chunked-map")
        .unwrap()
        .clone();
    let settings = lesson.settings_from(&sets.map(String::from)).unwrap();
    assert_eq!(Settings::from_params(&replay.meta.params), settings);
    assert_eq!(settings.0["items"], toml::Value::Integer(200));

    // Recordings from before (protocol 1) kept strings: they still load,
    // as strings.
    let v1 = forklore::record::read(&fixture("recordings/v1-chunked-map.jsonl")).unwrap();
    let old = Replay::new(v1, Vec::new());
    assert_eq!(old.meta.params["items"], ParamValue::Str("1000".into()));
    let old_settings = Settings::from_params(&old.meta.params);
    assert_eq!(old_settings.0["items"], toml::Value::String("1000".into()));
    assert_eq!(old_settings.text("items").as_deref(), Some("1000"));
}

#[test]
fn parameter_values_round_trip_through_json() {
    use forklore::lesson::Settings;
    let mut settings = Settings::default();
    for (k, v) in [
        ("int", toml::Value::Integer(3)),
        ("whole", toml::Value::Float(8.0)),
        ("float", toml::Value::Float(0.25)),
        ("flag", toml::Value::Boolean(true)),
        ("choice", toml::Value::String("return".into())),
    ] {
        settings.0.insert(k.into(), v);
    }
    let json = serde_json::to_string(&settings.to_params()).unwrap();
    let back = Settings::from_params(&serde_json::from_str(&json).unwrap());
    assert_eq!(back, settings, "{json}");
    // JSON has no NaN: such a value is kept as its text.
    settings
        .0
        .insert("nan".into(), toml::Value::Float(f64::NAN));
    let json = serde_json::to_string(&settings.to_params()).unwrap();
    let back = Settings::from_params(&serde_json::from_str(&json).unwrap());
    assert_eq!(back.text("nan").as_deref(), Some("NaN"));
}
