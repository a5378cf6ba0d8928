//! Narration beats advance with the run's events; placeholders are filled
//! with this run's facts.

use forklore::lesson::facts::facts;
use forklore::lesson::manifest::{Beat, Text};
use forklore::lesson::say::{fill, Said};
use forklore::lesson::{Narration, Settings};
use forklore::model::Model;
use forklore::protocol::{Body, Event};

fn beat(when: &str) -> Beat {
    Beat {
        when: when.into(),
        text: Said::plain(Text {
            en: format!("at {when}"),
            zh: String::new(),
        }),
    }
}

fn ev(pid: i32, body: Body) -> Event {
    Event { pid, t: 1, body }
}

fn take(pid: i32, index: u64) -> Event {
    ev(
        pid,
        Body::ChunkTake {
            pool: 0,
            job: 0,
            index,
            size: 125,
            start: Some(index * 125),
            end: Some(index * 125 + 125),
        },
    )
}

#[test]
fn beats_wait_for_their_events_in_order() {
    let mut n = Narration::new(vec![
        beat("start"),
        beat("map"),
        beat("chunk_take"),
        beat("chunk_take:3"),
        beat("end"),
    ]);
    assert_eq!(n.reached(), 1, "start is reached at once");
    n.observe(&take(11, 0));
    assert_eq!(
        n.reached(),
        1,
        "a chunk before the map beat does not count for it"
    );
    n.observe(&ev(10, Body::pool_map(0, 1000, 2)));
    assert_eq!(n.reached(), 2);
    n.observe(&take(12, 1));
    assert_eq!(n.reached(), 3, "the first chunk after `map`");
    n.observe(&take(11, 2));
    assert_eq!(n.reached(), 4, "the third chunk of the run");
    assert_eq!(n.current().unwrap().text.text.en, "at chunk_take:3");
    n.observe(&ev(
        10,
        Body::RunEnd {
            exitcode: 0,
            malformed: 0,
            rejected: 0,
            dropped: 0,
        },
    ));
    assert_eq!(n.reached(), 5);
}

#[test]
fn placeholders_come_from_the_run() {
    let mut events = vec![
        ev(
            10,
            Body::Hello {
                v: 1,
                python: "3.11.7".into(),
                executable: String::new(),
                start_method: "fork".into(),
                script: "x.py".into(),
                argv: vec![],
                forklore: None,
                buffering: None,
                replay: None,
            },
        ),
        ev(10, Body::pool_map(0, 1000, 2)),
    ];
    events.extend([take(11, 0), take(12, 1), take(11, 2)]);
    let model = Model::from_events(&events);
    let mut settings = Settings::default();
    settings.0.insert("workers".into(), toml::Value::Integer(2));
    let text = fill(
        "{workers} workers: divmod = {divmod}, chunksize {job_chunksize}, takers {takers}, {nope}",
        &settings,
        &facts(&model, &[]),
    );
    assert_eq!(
        text,
        "2 workers: divmod = (125, 0), chunksize 125, takers 11, 12, 11, {nope}"
    );
}

#[test]
fn a_fact_not_produced_yet_reads_as_not_yet_and_braces_around_text_stay() {
    let model = Model::new();
    let settings = Settings::default();
    let text = fill(
        "{job_chunksize} items, {\"tickets\": 0}, {nope}, {0}",
        &settings,
        &facts(&model, &[]),
    );
    assert_eq!(text, "… items, {\"tickets\": 0}, {nope}, {0}");
}

#[test]
fn a_beat_may_wait_for_the_first_of_two_events() {
    let mut n = Narration::new(vec![
        beat("start"),
        beat("callback|script_end"),
        beat("end"),
    ]);
    n.observe(&ev(10, Body::ScriptEnd {}));
    assert_eq!(n.reached(), 2, "no callback came: script_end reached it");
}

#[test]
fn guards_test_parameters_and_facts_and_wait_for_facts_not_known_yet() {
    use forklore::lesson::say::Env;
    let mut settings = Settings::default();
    settings.0.insert("lock".into(), toml::Value::Boolean(true));
    settings.0.insert("wait".into(), toml::Value::Float(0.8));
    settings
        .0
        .insert("mode".into(), toml::Value::String("apply".into()));
    let mut f = forklore::lesson::facts::Facts::new();
    f.insert("job_chunks", "8".into());
    f.insert("job_workers", "2".into());
    let env = Env::new(&settings, &f);
    for (guard, holds) in [
        ("lock", Some(true)),
        ("lock == false", Some(false)),
        ("wait > 0.5", Some(true)),
        ("mode != apply or lock", Some(true)),
        ("mode == apply and wait < 0.5", Some(false)),
        ("job_chunks <= {job_workers}", Some(false)),
        ("job_chunks > 4 and lock", Some(true)),
        ("lost_updates > 0", None),
        ("lost_updates > 0 or lock", Some(true)),
        ("lost_updates > 0 and mode == apply_async", Some(false)),
        ("garbled <= {lines_written}", None),
    ] {
        assert_eq!(env.holds(guard), holds, "{guard}");
    }
}
