//! The decoder is total: random bytes, truncations and mutations of valid
//! events never panic; valid events round-trip.

use forklore::fuzz::{self, Rng};
use forklore::protocol::{decode, decode_fast, encode, DecodeError, MAX_DATAGRAM};

const VALID: &[&str] = &[
    r#"{"kind":"hello","v":1,"pid":1,"t":2,"python":"3.11.7","start_method":"fork","script":"/x.py","forklore":"0.1.0"}"#,
    r#"{"kind":"proc_start","pid":2,"t":3,"ppid":1,"name":"P","role":"pool_worker","daemon":true}"#,
    r#"{"kind":"proc_exit","pid":2,"t":4,"exitcode":-15,"by":1}"#,
    r#"{"kind":"map","pid":1,"t":5,"job":0,"items":600,"chunksize":50,"chunks":12,"workers":3}"#,
    r#"{"kind":"chunk_take","pid":2,"t":6,"job":0,"index":3,"size":50,"start":150,"end":200}"#,
    r#"{"kind":"chunk_done","pid":2,"t":7,"job":0,"index":3,"ok":true}"#,
    r#"{"kind":"sync","pid":2,"t":8,"id":"h1","type":"Semaphore","name":"empty","op":"acquired","value":1}"#,
    r#"{"kind":"queue","pid":2,"t":9,"id":"q","op":"put","item":"'a'","size":1}"#,
    r#"{"kind":"manager","pid":3,"t":10,"ppid":1}"#,
    r#"{"kind":"proxy","pid":2,"t":11,"server":3,"id":"7f","typeid":"dict","method":"__getitem__","args":["'count'"],"result":"100"}"#,
    r#"{"kind":"write","pid":2,"t":12,"fd":1,"text":"héllo\n"}"#,
    r#"{"kind":"var","pid":2,"t":13,"name":"pageList","repr":"[1]","len":1,"first":"1","last":"1"}"#,
    r#"{"kind":"line","pid":2,"t":14,"file":"/x.py","line":7}"#,
    r#"{"kind":"join","pid":1,"t":15,"child":2,"op":"waiting","exitcode":null}"#,
    r#"{"kind":"script_end","pid":1,"t":15}"#,
    r#"{"kind":"shim_error","pid":2,"t":16,"error":"boom"}"#,
    r#"{"kind":"run_end","pid":1,"t":17,"exitcode":0,"malformed":0,"rejected":0}"#,
];

#[test]
fn every_kind_decodes_and_round_trips() {
    for line in VALID {
        let event = decode(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e}"));
        let again = decode(encode(&event).as_bytes()).unwrap();
        assert_eq!(event, again, "{line}");
        assert!(encode(&event).starts_with("{\"kind\":"), "kind comes first");
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
    for _ in 0..50_000 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        assert!(decode(&bytes).is_err() || bytes.first() == Some(&b'{'));
    }
}

#[test]
fn truncated_and_mutated_events_never_panic() {
    let mut rng = Rng::new(42);
    let mut accepted = 0;
    for line in VALID {
        let bytes = line.as_bytes();
        for cut in 0..bytes.len() {
            let _ = decode(&bytes[..cut]);
        }
        for _ in 0..2_000 {
            let mut m = bytes.to_vec();
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(m.len());
                match rng.below(3) {
                    0 => m[i] = rng.next_u64() as u8,
                    1 => {
                        m.remove(i);
                    }
                    _ => m.insert(i, b"{}[]\":,0-9e"[rng.below(11)]),
                }
                if m.is_empty() {
                    break;
                }
            }
            if decode(&m).is_ok() {
                accepted += 1;
            }
        }
    }
    // Some mutations (inside strings) are still valid events: decoding is
    // tolerant, not merely rejecting everything.
    assert!(accepted > 0);
}

#[test]
fn oversized_and_unknown_are_errors() {
    let big = vec![b'{'; MAX_DATAGRAM + 1];
    assert_eq!(decode(&big), Err(DecodeError::Oversized(MAX_DATAGRAM + 1)));
    assert!(matches!(
        decode(br#"{"kind":"teleport","pid":1,"t":1}"#),
        Err(DecodeError::Invalid(_))
    ));
    assert!(matches!(
        decode(br#"{"kind":"write","t":1,"fd":1,"text":"no pid"}"#),
        Err(DecodeError::Invalid(_))
    ));
    assert_eq!(decode(&[0xff, 0xfe]), Err(DecodeError::NotUtf8));
}

/// `Body::kind` and the `"kind"` serde writes come from one list and stay
/// equal for every variant; the list names every kind exactly once.
#[test]
fn every_kind_is_named_as_serde_names_it() {
    use forklore::protocol::{EVENT_KINDS, SUPERVISOR_KINDS};
    let rest = [
        r#"{"kind":"proc_spawn","pid":1,"t":3,"child":2,"name":"P","daemon":false}"#,
        r#"{"kind":"run_paused","pid":1,"t":18}"#,
        r#"{"kind":"run_resumed","pid":1,"t":19}"#,
        r#"{"kind":"proc_gone","pid":7,"t":20}"#,
        r#"{"kind":"too_many_procs","pid":1,"t":20,"limit":512}"#,
        r#"{"kind":"start_method","pid":1,"t":2,"method":"spawn"}"#,
        r#"{"kind":"submit","pid":7,"t":21,"pool":7,"job":3,"task":0,"name":"f"}"#,
        r#"{"kind":"future","pid":7,"t":22,"pool":7,"job":3,"task":0,"op":"waiting"}"#,
        r#"{"kind":"signal","pid":1,"t":23,"child":2,"signal":15}"#,
        r#"{"kind":"alive","pid":1,"t":24,"child":2,"alive":true}"#,
        r#"{"kind":"main_import","pid":2,"t":25,"name":"__mp_main__"}"#,
        r#"{"kind":"file","pid":2,"t":26,"path":"/tmp/t.json","op":"read","text":"{}"}"#,
        r#"{"kind":"apply","pid":1,"t":27,"pool":1,"job":4,"name":"f","blocking":false}"#,
        r#"{"kind":"callback","pid":1,"t":28,"pool":1,"job":4,"which":"callback"}"#,
        r#"{"kind":"pipe","pid":1,"t":29,"op":"send","end":"77","item":"'x'"}"#,
        r#"{"kind":"shared","pid":2,"t":30,"id":"v","type":"Value","op":"write","value":"1"}"#,
        r#"{"kind":"want","pid":2,"t":31,"what":"sync","at":{"id":"h1","op":"acquire"},"file":"m.py","line":3}"#,
        r#"{"kind":"stepping","pid":1,"t":32,"on":true}"#,
        r#"{"kind":"step","pid":2,"t":33,"who":"Process-1","what":"acquire","obj":"lock"}"#,
    ];
    let mut seen: Vec<&str> = Vec::new();
    for line in VALID.iter().chain(&rest) {
        let event = decode(line.as_bytes()).unwrap();
        let json: serde_json::Value = serde_json::from_str(&encode(&event)).unwrap();
        let kind = event.body.kind();
        assert_eq!(json["kind"], kind, "{line}");
        assert_eq!(
            event.body.is_supervisor(),
            SUPERVISOR_KINDS.contains(&kind),
            "{kind}"
        );
        seen.push(kind);
    }
    seen.sort_unstable();
    let mut all = EVENT_KINDS.to_vec();
    all.sort_unstable();
    assert_eq!(seen, all, "every kind once, and no other");
    assert_eq!(
        SUPERVISOR_KINDS,
        [
            "stepping",
            "step",
            "run_paused",
            "run_resumed",
            "too_many_procs",
            "proc_gone",
            "run_end"
        ]
    );
}

/// A sync event's `type` is the Python class name, decoded into a variant
/// and written back the same; an unknown class is `Unknown`.
#[test]
fn sync_kinds_keep_their_python_names() {
    use forklore::protocol::SyncKind;
    let names = [
        "Lock",
        "RLock",
        "Semaphore",
        "BoundedSemaphore",
        "Condition",
        "Event",
        "Barrier",
    ];
    for name in names {
        let json = format!("\"{name}\"");
        let kind: SyncKind = serde_json::from_str(&json).unwrap();
        assert_ne!(kind, SyncKind::Unknown, "{name}");
        assert_eq!(kind.name(), name);
        assert_eq!(serde_json::to_string(&kind).unwrap(), json);
        assert_eq!(kind.is_semaphore(), name.contains("Semaphore"), "{name}");
    }
    let other: SyncKind = serde_json::from_str("\"SpinLock\"").unwrap();
    assert_eq!(other, SyncKind::Unknown);
}

/// The mutation fuzzer, short: 100,000 inputs through the decoder, the
/// model, the screen and the recording reader. It must decode some of
/// them (mutations are not all noise) and draw and replay without a panic.
#[test]
fn mutation_fuzzer_finds_no_panic() {
    let corpus = fuzz::corpus();
    assert!(
        corpus.len() > 100,
        "the corpus holds the bundled recordings"
    );
    let report = fuzz::run(&corpus, 100_000, 7);
    assert_eq!(report.inputs, 100_000);
    assert!(report.decoded > 5_000, "{report:?}");
    assert_eq!(report.recordings, 50);
    assert!(report.frames >= 20);
}

/// The fast path (the kind read off the front, one flat struct per kind)
/// decodes every event exactly as the general, tagged decoder does: every
/// line of every bundled lesson recording and the samples above.
#[test]
fn fast_path_decodes_as_the_general_decoder() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/recordings");
    let mut lines: Vec<String> = VALID.iter().map(|s| s.to_string()).collect();
    for entry in std::fs::read_dir(dir).expect("bundled recordings") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("a recording");
        lines.extend(text.lines().map(str::to_string));
    }
    let mut kinds = std::collections::BTreeSet::new();
    for line in &lines {
        let general: forklore::protocol::Event =
            serde_json::from_str(line.trim_end()).unwrap_or_else(|e| panic!("{line}: {e}"));
        if line.starts_with(r#"{"kind":""#) {
            assert_eq!(decode_fast(line), Some(general.clone()), "{line}");
            kinds.insert(general.body.kind());
        }
        assert_eq!(decode(line.as_bytes()), Ok(general), "{line}");
    }
    // Recordings are written kind first: most kinds took the fast path.
    assert!(kinds.len() >= 20, "only {kinds:?} took the fast path");
}
