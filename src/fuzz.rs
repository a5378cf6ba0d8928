//! A mutation fuzzer for everything that reads untrusted input: the event
//! decoder (any datagram), the model and the screen (any event that
//! decodes), and the recording reader and replay (any file). No libFuzzer,
//! no nightly: a seeded generator mutates a corpus of real events, so a
//! run is repeatable from its seed.
//!
//! `cargo bench --profile fuzz --bench fuzz -- [INPUTS] [SEED]` runs it
//! long with overflow checks on (figures in BENCHMARKS.md);
//! `tests/decode.rs` runs it short on every test.

use std::io::Write;

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use crate::model::Model;
use crate::protocol::{decode, encode, Event, EVENT_KINDS};
use crate::replay::Replay;
use crate::session::Session;
use crate::ui::{self, Theme, ThemeName, UiState, View};

/// xorshift64*: deterministic, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// What a run did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Report {
    pub inputs: u64,
    pub decoded: u64,
    pub recordings: u64,
    pub frames: u64,
}

/// Bytes that often break parsers, put in at random places.
const INTERESTING: &[&[u8]] = &[
    b"\"",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"-1",
    b"0",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"1e400",
    b"\\ud800",
    b"\\u0000",
    b"\xff",
    b"\xe4\xb8",
    b"\"kind\":\"",
];

/// Numbers and strings a field might hold at the edges.
const EDGE_VALUES: &[&str] = &[
    "0",
    "-1",
    "2147483647",
    "-2147483648",
    "4294967295",
    "18446744073709551615",
    "1e308",
    "\"\"",
    "\"\\u2603\\u0000\\n\"",
    "null",
    "true",
    "[]",
    "{}",
];

/// One mutation of `input` (or of a splice with `other`).
pub fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(out.len() + 1);
        match rng.below(8) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 => {
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                out.splice(at..at, piece.iter().copied());
            }
            2 => {
                let end = (at + rng.below(16)).min(out.len());
                out.drain(at..end);
            }
            3 => out.truncate(at),
            4 => {
                let from = rng.below(other.len() + 1);
                out.truncate(at);
                out.extend_from_slice(&other[from..]);
            }
            5 => replace_value(rng, &mut out),
            6 => {
                let kind = EVENT_KINDS[rng.below(EVENT_KINDS.len())];
                out = retag(&out, kind);
            }
            _ => {
                let n = rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
                out.splice(at..at, bytes);
            }
        }
    }
    out
}

/// Replace the value after a random `":` with an edge value.
fn replace_value(rng: &mut Rng, out: &mut Vec<u8>) {
    let colons: Vec<usize> = out
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w == b"\":")
        .map(|(i, _)| i + 2)
        .collect();
    if colons.is_empty() {
        return;
    }
    let start = colons[rng.below(colons.len())];
    let end = out[start..]
        .iter()
        .position(|b| *b == b',' || *b == b'}')
        .map_or(out.len(), |p| start + p);
    let value = EDGE_VALUES[rng.below(EDGE_VALUES.len())].as_bytes();
    out.splice(start..end, value.iter().copied());
}

/// The same fields under another kind: fields that belong to no kind, or
/// kinds missing theirs.
fn retag(input: &[u8], kind: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(input);
    match text.split_once("\"kind\":\"") {
        Some((head, rest)) => {
            let tail = rest.split_once('"').map_or("", |(_, t)| t);
            format!("{head}\"kind\":\"{kind}\"{tail}").into_bytes()
        }
        None => input.to_vec(),
    }
}

/// Fuzz `inputs` datagrams mutated from `corpus`: decode each; fold what
/// decodes into a model (drawn every 5,000 inputs, new every 50,000); every 2,000 inputs, a small
/// recording of mutated lines is read, replayed and sought. A panic
/// anywhere is the finding.
pub fn run(corpus: &[Vec<u8>], inputs: u64, seed: u64) -> Report {
    let mut rng = Rng::new(seed);
    let mut report = Report::default();
    let mut model = Model::new();
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("a test backend");
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for i in 0..inputs {
        let a = &corpus[rng.below(corpus.len())];
        let b = &corpus[rng.below(corpus.len())];
        let input = mutate(&mut rng, a, b);
        report.inputs += 1;
        if let Ok(event) = decode(&input) {
            report.decoded += 1;
            model.update(&event);
        }
        if lines.len() < 64 {
            lines.push(input);
        }
        if i % 5_000 == 4_999 {
            draw(&mut terminal, &model);
            report.frames += 1;
        }
        if i % 50_000 == 49_999 {
            model = Model::new();
        }
        if i % 2_000 == 1_999 {
            replay_file(&dir.path().join("fuzz.jsonl"), &lines);
            lines.clear();
            report.recordings += 1;
        }
    }
    draw(&mut terminal, &model);
    report
}

fn draw(terminal: &mut Terminal<TestBackend>, model: &Model) {
    let ui_state = UiState::new(1.0);
    let view = View::new(
        model,
        &ui_state,
        Theme::new(ThemeName::Default, true),
        &[],
        "fuzz",
    );
    let _ = terminal.draw(|f| {
        ui::draw(f, &view);
    });
}

/// Write `lines` as a recording (a real hello first, half the time) and
/// read, replay and seek it; errors are expected, panics are not.
fn replay_file(path: &std::path::Path, lines: &[Vec<u8>]) {
    let Ok(mut file) = std::fs::File::create(path) else {
        return;
    };
    if lines.len().is_multiple_of(2) {
        let hello = r#"{"kind":"hello","v":2,"python":"3","start_method":"fork","script":"/x","pid":1,"t":0}"#;
        let _ = writeln!(file, "{hello}");
    }
    for line in lines {
        let clean: Vec<u8> = line.iter().copied().filter(|b| *b != b'\n').collect();
        let _ = file.write_all(&clean);
        let _ = file.write_all(b"\n");
    }
    drop(file);
    let _ = crate::record::read(path);
    if let Ok(replay) = Replay::open(path, Vec::new()) {
        let len = replay.len();
        let mut session = Session::replay(replay);
        session.seek(len);
        session.seek(len / 2);
    }
}

/// A corpus of real events: one of every kind, and every line of the
/// bundled lesson recordings.
pub fn corpus() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = crate::lesson::Catalog::embedded()
        .map(|c| c.lessons)
        .unwrap_or_default()
        .iter()
        .filter_map(|l| crate::lesson::bundled_recording(l.slug()))
        .flatten()
        .map(|e: Event| encode(&e).into_bytes())
        .collect();
    out.push(br#"{"kind":"write","pid":2,"t":12,"fd":1,"b64":"/w=="}"#.to_vec());
    out.push(br#"{"kind":"submit","pid":7,"t":21,"pool":7,"job":3,"task":0,"name":"f"}"#.to_vec());
    out.push(
        br#"{"kind":"future","pid":7,"t":22,"pool":7,"job":3,"task":0,"op":"waiting"}"#.to_vec(),
    );
    out.push(br#"{"kind":"sync","pid":2,"t":8,"id":"b","type":"Barrier","name":"b","op":"waiting","value":1,"parties":3}"#.to_vec());
    out
}
