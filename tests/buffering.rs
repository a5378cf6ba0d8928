//! Output behaves as it does without forklore, side by side with plain
//! python3 given the same kind of stdout: a terminal (`--buffering
//! terminal`, the default), pipes under `-u` (`unbuffered`), or pipes
//! (`pipe`, as `python3 x.py > file`). The same bytes, and the same
//! write(2) calls: every `write` event of a Python process is one write
//! plain Python makes (strace counts those), so lines garble under
//! forklore exactly when they garble at home.

mod common;

use std::path::PathBuf;

use common::plain::{plain, plain_traced, Plain};
use common::*;
use forklore::model::Model;
use forklore::protocol::{Body, Buffering, WriteBytes};

const MODES: [Buffering; 3] = [Buffering::Terminal, Buffering::Unbuffered, Buffering::Pipe];

fn python() -> PathBuf {
    forklore::runtime::python::resolve(None).unwrap().executable
}

/// `forklore run --headless --buffering MODE script -- args`.
fn under_forklore(script: &str, mode: Buffering, args: &[&str]) -> Headless {
    let run = run_headless(&fixture(script), &["--buffering", mode.as_str()], args);
    assert_eq!(run.code(), Some(0), "{script} {mode}: {}", run.stderr());
    run
}

/// The sizes of the `write` events Python processes sent for `fd`.
fn event_sizes(run: &Headless, fd: u8) -> Vec<usize> {
    run.events
        .iter()
        .filter(|e| e.pid != 0)
        .filter_map(|e| match &e.body {
            Body::Write { fd: f, .. } if *f == fd => e.body.write_bytes().map(|b| b.len()),
            _ => None,
        })
        .collect()
}

fn assert_same_output(run: &Headless, plain: &Plain, what: &str) {
    assert_eq!(
        run.stdout(),
        plain.stdout(),
        "{what}: stdout as plain python3's"
    );
    assert_eq!(
        run.output.stderr, plain.stderr,
        "{what}: stderr as plain python3's"
    );
}

/// One process printing in every shape: the same bytes, cut into the
/// same write(2) calls, in each mode (block-buffered output is cut at the
/// same byte counts: the shim's stream has the buffer size Python chose),
/// under every CPython 3.8–3.13 installed.
#[test]
fn each_write_is_one_plain_python_makes_in_every_mode() {
    let pythons: Vec<PathBuf> = (8..=13).filter_map(python_minor).collect();
    assert!(!pythons.is_empty(), "no CPython 3.8-3.13 found");
    let script = fixture("print_shapes.py");
    for python in &pythons {
        for mode in MODES {
            let what = format!("{} {mode}", python.display());
            let flags = [
                "--buffering",
                mode.as_str(),
                "--python",
                python.to_str().unwrap(),
            ];
            let run = run_headless(&script, &flags, &[]);
            assert_eq!(run.code(), Some(0), "{what}: {}", run.stderr());
            let Some(plain) = plain_traced(python, &script, &[], mode) else {
                assert_same_output(&run, &plain(python, &script, &[], mode), &what);
                continue;
            };
            assert_eq!(plain.code, Some(0), "{what}");
            assert_same_output(&run, &plain, &what);
            for fd in [1, 2] {
                assert_eq!(
                    event_sizes(&run, fd),
                    plain.sizes(fd),
                    "{what}: the writes to fd {fd}, by size"
                );
            }
        }
    }
}

fn plain_untraced(script: &str, mode: Buffering, args: &[&str]) -> Plain {
    plain(&python(), &fixture(script), args, mode)
}

/// 8 processes × 20 `print('Pid:', pid, 'LoopCount:', k)` at once. In a
/// terminal each print is one write(2) and no line garbles, with or
/// without forklore; under -u each is 8 writes, under a pipe each
/// process writes once, at its exit. The counts are plain python3's.
#[test]
fn prints_from_many_processes_make_the_writes_they_make_at_home() {
    let python = python();
    let args = ["8", "20"];
    for (mode, writes) in [
        (Buffering::Terminal, 160),
        (Buffering::Unbuffered, 160 * 8),
        (Buffering::Pipe, 8),
    ] {
        let run = under_forklore("printers.py", mode, &args);
        assert_eq!(event_sizes(&run, 1).len(), writes, "forklore, {mode}");
        if let Some(plain) = plain_traced(&python, &fixture("printers.py"), &args, mode) {
            assert_eq!(plain.sizes(1).len(), writes, "plain python3, {mode}");
        }
        let lines = run.stdout().lines().count();
        assert_eq!(lines, 160, "forklore, {mode}: {}", run.stdout());
        if mode != Buffering::Unbuffered {
            assert_eq!(Model::from_events(&run.events).output.garbled_lines, 0);
            assert_whole_lines(&run.stdout(), &format!("forklore, {mode}"));
            let plain = plain_untraced("printers.py", mode, &args);
            assert_whole_lines(&plain.stdout(), &format!("plain python3, {mode}"));
        }
    }
}

/// Every line is one process's `Pid: <pid> LoopCount: <k>`.
fn assert_whole_lines(out: &str, what: &str) {
    assert_eq!(out.lines().count(), 160, "{what}");
    for line in out.lines() {
        let words: Vec<&str> = line.split(' ').collect();
        let whole = matches!(words[..], ["Pid:", pid, "LoopCount:", k]
            if pid.parse::<u32>().is_ok() && k.parse::<u32>().is_ok());
        assert!(whole, "{what}: a garbled line {line:?}");
    }
}

/// A child terminated before it flushed: its prints reached a terminal
/// (line-buffered) and survive under -u; redirected, they sat in its
/// buffer and are lost, under forklore as with plain python3.
#[test]
fn a_terminated_childs_unflushed_prints_are_lost_only_when_redirected() {
    let kept = "child line 0\nchild line 1\nchild line 2\nchild exit code -15\n";
    let lost = "child exit code -15\n";
    for method in METHODS {
        for (mode, expected) in [
            (Buffering::Terminal, kept),
            (Buffering::Unbuffered, kept),
            (Buffering::Pipe, lost),
        ] {
            let what = format!("{method} {mode}");
            let run = under_forklore("terminated_child.py", mode, &[method]);
            assert_eq!(run.stdout(), expected, "forklore, {what}");
            let plain = plain_untraced("terminated_child.py", mode, &[method]);
            assert_same_output(&run, &plain, &what);
        }
    }
}

/// What a program asks about its outputs: a terminal (80×24 when
/// forklore has none) and line-buffered, or not, as at home.
#[test]
fn the_program_sees_the_outputs_it_would_see_at_home() {
    let dir = tempfile::tempdir().unwrap();
    let probe = dir.path().join("probe.py");
    std::fs::write(
        &probe,
        "import os, sys\n\
         for s in (sys.stdout, sys.stderr):\n\
         \x20   print(s.isatty(), s.line_buffering, s.write_through,\n\
         \x20         os.get_terminal_size(s.fileno()) if s.isatty() else None)\n\
         print('PYTHONUNBUFFERED' in os.environ)\n",
    )
    .unwrap();
    for mode in MODES {
        let run = run_headless(&probe, &["--buffering", mode.as_str()], &[]);
        let plain = plain(&python(), &probe, &[], mode);
        assert_same_output(&run, &plain, mode.as_str());
        let first = run.stdout().lines().next().unwrap_or_default().to_string();
        let expected = match mode {
            Buffering::Terminal => "True True False os.terminal_size(columns=80, lines=24)",
            Buffering::Unbuffered => "False False True None",
            Buffering::Pipe => "False False False None",
        };
        assert_eq!(first, expected, "{mode}");
    }
}

/// The mode a run had, as its hello says.
fn hello_buffering(run: &Headless) -> Option<Buffering> {
    run.events.iter().find_map(|e| match &e.body {
        Body::Hello { buffering, .. } => *buffering,
        _ => None,
    })
}

/// A lesson buffers as its manifest says (`buffering = "pipe"`), else as
/// in a terminal; `--buffering` overrides both. The hello says which.
#[test]
fn a_lessons_buffering_comes_from_its_manifest_unless_the_command_line_says() {
    let root = tempfile::tempdir().unwrap();
    let lesson = root.path().join("01-printers");
    std::fs::create_dir(&lesson).unwrap();
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/03-lock-vs-garbled");
    std::fs::copy(from.join("main.py"), lesson.join("main.py")).unwrap();
    let manifest = std::fs::read_to_string(from.join("lesson.toml")).unwrap();
    let piped = manifest.replace("lines = true\n", "lines = true\nbuffering = \"pipe\"\n");
    std::fs::write(lesson.join("lesson.toml"), piped).unwrap();
    let dir = root.path().to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["lesson", "lock-vs-garbled", "--headless", "--lessons", dir];
        args.extend(["--set", "lines=2"]);
        args.extend(extra);
        let run = recorded(&args);
        assert_eq!(run.code(), Some(0), "{extra:?}: {}", run.stderr());
        run
    };
    assert_eq!(hello_buffering(&run(&[])), Some(Buffering::Pipe));
    let unbuffered = run(&["--buffering", "unbuffered"]);
    assert_eq!(hello_buffering(&unbuffered), Some(Buffering::Unbuffered));
    let default = run_lesson("lock-vs-garbled", &["lines=2"]);
    assert_eq!(hello_buffering(&default), Some(Buffering::Terminal));
}

/// A single write too big for one event (200 KB, much of it control
/// characters JSON escapes six-fold) still arrives whole and in order.
#[test]
fn a_write_too_big_for_one_event_arrives_whole() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("big.py");
    std::fs::write(
        &script,
        "import os, sys\n\
         data = (bytes(range(32)) * 3000 + b'text' * 20000)\n\
         os.write(1, data)\n\
         sys.stdout.buffer.write(data[::-1])\n",
    )
    .unwrap();
    for mode in MODES {
        let run = run_headless(&script, &["--buffering", mode.as_str()], &[]);
        assert_eq!(run.code(), Some(0), "{mode}: {}", run.stderr());
        let home = plain(&python(), &script, &[], mode);
        assert_eq!(
            run.output.stdout.len(),
            2 * (32 * 3000 + 4 * 20000),
            "{mode}"
        );
        assert!(
            run.output.stdout == home.stdout,
            "{mode}: the bytes as plain python3's"
        );
    }
}
