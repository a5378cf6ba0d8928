//! Helpers shared by the integration tests: run the real forklore binary on
//! a fixture with real python3 and read back its recording.
#![allow(dead_code)]

pub mod flood;
pub mod plain;
pub mod tmux;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use forklore::protocol::{Body, Event};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn forklore() -> Command {
    Command::new(env!("CARGO_BIN_EXE_forklore"))
}

pub struct Headless {
    pub output: Output,
    pub events: Vec<Event>,
    /// The recording's text, as written.
    pub recording: String,
}

impl Headless {
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Event> + 'a {
        self.events.iter().filter(move |e| kind_of(e) == kind)
    }
}

pub fn kind_of(e: &Event) -> String {
    let line = forklore::protocol::encode(e);
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    v["kind"].as_str().unwrap().to_string()
}

/// `forklore SUBCOMMAND --record <tmp> ARGS...`, its output and recording.
pub fn recorded<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Headless {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("run.jsonl");
    let (sub, rest) = args.split_first().expect("a subcommand");
    let output = forklore()
        .arg(sub)
        .arg("--record")
        .arg(&rec)
        .args(rest)
        .output()
        .expect("forklore runs");
    let recording = std::fs::read_to_string(&rec).unwrap_or_default();
    let events = if rec.exists() {
        forklore::record::read(&rec).expect("recording reads")
    } else {
        Vec::new()
    };
    Headless {
        output,
        events,
        recording,
    }
}

/// `forklore run --headless --record <tmp> [extra] script -- args`.
pub fn run_headless(script: &Path, extra: &[&str], args: &[&str]) -> Headless {
    use std::ffi::OsStr;
    let mut all: Vec<&OsStr> = vec![OsStr::new("run"), OsStr::new("--headless")];
    all.extend(extra.iter().map(OsStr::new));
    all.push(script.as_os_str());
    if !args.is_empty() {
        all.push(OsStr::new("--"));
        all.extend(args.iter().map(OsStr::new));
    }
    recorded(&all)
}

/// `forklore lesson SLUG --headless --set ... --record <tmp>`; the run
/// must succeed.
pub fn run_lesson(slug: &str, sets: &[&str]) -> Headless {
    let mut args = vec!["lesson", slug, "--headless"];
    for s in sets {
        args.extend(["--set", s]);
    }
    let run = recorded(&args);
    assert_eq!(
        run.code(),
        Some(0),
        "{slug} {sets:?} failed: {}",
        run.stderr()
    );
    run
}

/// Plain `python3 script args`, for comparing output and exit code.
pub fn run_plain(python: &str, script: &Path, args: &[&str]) -> Output {
    Command::new(python)
        .arg(script)
        .args(args)
        .env_remove("PYTHONPATH")
        .output()
        .expect("python3 runs")
}

/// Every chunk_take of job 0: (start, end, pid).
pub fn chunks(events: &[Event]) -> Vec<(u64, u64, i32)> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            Body::ChunkTake {
                start: Some(s),
                end: Some(t),
                ..
            } => Some((*s, *t, e.pid)),
            _ => None,
        })
        .collect()
}

/// Assert the chunks cover 0..n exactly once.
pub fn assert_covers_once(chunks: &[(u64, u64, i32)], n: u64) {
    let mut seen = vec![0u32; n as usize];
    for (s, e, _) in chunks {
        assert!(s < e && *e <= n, "chunk {s}..{e} outside 0..{n}");
        for i in *s..*e {
            seen[i as usize] += 1;
        }
    }
    let wrong: Vec<usize> = seen
        .iter()
        .enumerate()
        .filter(|(_, c)| **c != 1)
        .map(|(i, _)| i)
        .collect();
    assert!(
        wrong.is_empty(),
        "items not covered exactly once: {:?}",
        &wrong[..wrong.len().min(10)]
    );
}

/// Installed CPython interpreters of a minor version, if present.
pub fn python_minor(minor: u32) -> Option<PathBuf> {
    let home = std::env::var("HOME").unwrap_or_default();
    let mut found: Vec<PathBuf> = std::fs::read_dir(Path::new(&home).join(".pyenv/versions"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|d| {
            d.file_name()
                .to_string_lossy()
                .starts_with(&format!("3.{minor}."))
        })
        .map(|d| d.path().join(format!("bin/python3.{minor}")))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    let system = PathBuf::from(format!("/usr/bin/python3.{minor}"));
    found.pop().or_else(|| system.exists().then_some(system))
}

/// Wait until `pid` no longer exists (or is a zombie nobody will reap).
pub fn gone_within(pid: i32, secs: u64) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        let alive = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| {
                s.rsplit(')')
                    .next()
                    .map(|r| !r.trim_start().starts_with('Z'))
                    .unwrap_or(false)
            })
            .unwrap_or(false);
        if !alive {
            return true;
        }
        if std::time::Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Run forklore, expect the usage/setup error status 2, return its stderr.
pub fn usage_error(cmd: &mut Command) -> String {
    let out = cmd.output().expect("forklore runs");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "expected exit 2; stderr: {err}");
    err
}

/// Events written as the shim sends them, one JSON object per line
/// (`{"kind": …, "pid": …}`); `t` is the line number in milliseconds.
pub fn json_events(text: &str) -> Vec<Event> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let mut e = forklore::protocol::decode(line.as_bytes())
                .unwrap_or_else(|e| panic!("{line}: {e:?}"));
            e.t = (i as u64 + 1) * 1_000_000;
            e
        })
        .collect()
}

/// The start methods every lesson's facts are checked under.
pub const METHODS: [&str; 3] = ["fork", "spawn", "forkserver"];

/// `lessons/FOLDER/main.py` run headless under start method `method`, with
/// forklore's flags `extra`; the run must succeed.
pub fn run_lesson_under(folder: &str, method: &str, extra: &[&str], args: &[&str]) -> Headless {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("lessons")
        .join(folder)
        .join("main.py");
    let mut flags = vec!["--start-method", method];
    flags.extend(extra);
    let run = run_headless(&script, &flags, args);
    assert_eq!(run.code(), Some(0), "{folder} {method}: {}", run.stderr());
    run
}

/// The lesson under every start method at once (a thread each):
/// `(method, run)` in the order of [`METHODS`].
pub fn under_every_method(folder: &str, args: &[&str]) -> Vec<(String, Headless)> {
    std::thread::scope(|s| {
        let handles: Vec<_> = METHODS
            .iter()
            .map(|m| s.spawn(move || (m.to_string(), run_lesson_under(folder, m, &[], args))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// `forklore run --headless --record REC SCRIPT -- HANDSHAKE`, started: the
/// script writes the run's socket path to HANDSHAKE and waits for
/// HANDSHAKE.done, so this test process (outside the run) can send to it.
/// Returns the child and the socket path.
pub fn run_awaiting_outsider(
    script: &str,
    rec: &Path,
    handshake: &Path,
) -> (std::process::Child, String) {
    let child = forklore()
        .args(["run", "--headless", "--record"])
        .arg(rec)
        .arg(fixture(script))
        .arg("--")
        .arg(handshake)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let sock = loop {
        match std::fs::read_to_string(handshake) {
            Ok(p) if !p.is_empty() => break p,
            _ if std::time::Instant::now() > deadline => panic!("the script never started"),
            _ => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    };
    (child, sock)
}

/// `run(method)` `runs` times under each start method, `lanes` threads per
/// method at once (all methods side by side): `(method, result)`, the
/// methods in the order of [`METHODS`].
pub fn each_method_times<T: Send>(
    runs: usize,
    lanes: usize,
    run: impl Fn(&str) -> T + Sync,
) -> Vec<(String, T)> {
    let run = &run;
    std::thread::scope(|s| {
        let handles: Vec<_> = METHODS
            .iter()
            .flat_map(|m| (0..lanes).map(move |lane| (m, lane)))
            .map(|(m, lane)| {
                s.spawn(move || {
                    (lane..runs)
                        .step_by(lanes)
                        .map(|_| (m.to_string(), run(m)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

/// A Manager's dict calls (`__getitem__`, `__setitem__`…) with their
/// results, in the order the run made them.
pub fn dunder_calls(events: &[Event]) -> Vec<(String, String)> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Proxy { method, result, .. } if method.starts_with("__") => {
                Some((method.clone(), result.clone()))
            }
            _ => None,
        })
        .collect()
}

/// The real interpreter `python3` runs (it may be a slow wrapper such as
/// pyenv's shim), found once.
pub fn real_python() -> &'static str {
    static PYTHON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PYTHON.get_or_init(|| {
        let out = Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .expect("python3 runs");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    })
}

/// A small random source for tests that vary their timing (pauses,
/// waits), seeded by the clock: a failure's message gives the seed.
pub struct Dice(u64);

impl Dice {
    pub fn new() -> Dice {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::SystemTime::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        Dice(u64::from(nanos) | 1)
    }

    pub fn seed(&self) -> u64 {
        self.0
    }

    /// A number below `n` (xorshift).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    /// A duration between `lo` and `hi` milliseconds.
    pub fn millis(&mut self, lo: u64, hi: u64) -> std::time::Duration {
        std::time::Duration::from_millis(lo + self.below(hi - lo + 1))
    }
}
