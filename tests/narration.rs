//! Narration beats advance with the run's events; placeholders are filled
//! with this run's facts.

use forklore::lesson::facts::{facts, fill};
use forklore::lesson::manifest::{Beat, Text};
use forklore::lesson::{Narration, Settings};
use forklore::model::Model;
use forklore::protocol::{Body, Event};

fn beat(when: &str) -> Beat {
    Beat {
        when: when.into(),
        text: Text {
            en: format!("at {when}"),
            zh: String::new(),
        },
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
    assert_eq!(n.current().unwrap().text.en, "at chunk_take:3");
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
        "{workers} workers: divmod = {divmod}, chunksize {chunksize}, takers {takers}, {nope}",
        &settings,
        &facts(&model, &[]),
    );
    assert_eq!(
        text,
        "2 workers: divmod = (125, 0), chunksize 125, takers 11, 12, 11, {nope}"
    );
}
