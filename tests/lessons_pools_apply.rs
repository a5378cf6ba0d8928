//! Facts of apply-async-callbacks, asserted from real runs under fork,
//! spawn and forkserver: callbacks run in main, apply runs tasks one after
//! another and apply_async side by side, an exception reaches
//! error_callback.

mod common;

use common::*;
use forklore::lesson::facts::facts;
use forklore::model::Model;
use forklore::protocol::Body;

#[test]
fn callbacks_run_in_main_and_an_exception_reaches_error_callback() {
    let args = [
        "--tasks",
        "5",
        "--workers",
        "2",
        "--task_ms",
        "50",
        "--fail",
        "3",
    ];
    for (method, run) in under_every_method("08-apply-async-callbacks", &args) {
        let main = run.events.iter().find_map(|e| match e.body {
            Body::Hello { .. } => Some(e.pid),
            _ => None,
        });
        let callbacks: Vec<(u64, String, i32)> = run
            .events
            .iter()
            .filter_map(|e| match &e.body {
                Body::Callback { job, which, .. } => Some((*job, which.clone(), e.pid)),
                _ => None,
            })
            .collect();
        assert_eq!(callbacks.len(), 5, "{method}: one per task");
        assert!(
            callbacks.iter().all(|c| Some(c.2) == main),
            "{method}: every callback in main: {callbacks:?}"
        );
        let errors: Vec<_> = callbacks
            .iter()
            .filter(|c| c.1 == "error_callback")
            .collect();
        assert_eq!(errors.len(), 1, "{method}");
        // The failing task is the fourth asked for (jobs count per Pool).
        let jobs: Vec<u64> = run
            .events
            .iter()
            .filter_map(|e| match e.body {
                Body::Apply { job, .. } => Some(job),
                _ => None,
            })
            .collect();
        assert_eq!(errors[0].0, jobs[3], "{method}: task 3 raised");
        let out = run.stdout();
        let main = main.unwrap();
        assert!(
            out.contains(&format!(
                "error_callback got ValueError('task 3 failed on purpose') in PID {main}"
            )),
            "{method}: {out}"
        );
        assert_eq!(
            out.matches(&format!("in PID {main}, thread")).count(),
            4,
            "{out}"
        );
        let f = facts(&Model::from_events(&run.events), &[]);
        assert_eq!(f["callbacks_in_main"], "true");
        assert_eq!(f["error_callbacks"], "1");
    }
}

#[test]
fn apply_runs_tasks_in_turn_and_apply_async_side_by_side() {
    // 6 tasks of 150 ms on 3 workers: apply ≈ 900 ms, one at a time;
    // apply_async ≈ 300 ms, up to 3 at once. The two modes of one method
    // run together, the methods one after another (a loaded machine
    // stretches a spawn Pool's start).
    let run = |method: &'static str, mode: &'static str| {
        std::thread::spawn(move || {
            let args = [
                "--tasks",
                "6",
                "--workers",
                "3",
                "--task_ms",
                "150",
                "--fail",
                "-1",
                "--mode",
                mode,
            ];
            let run = run_lesson_under("08-apply-async-callbacks", method, &[], &args);
            let f = facts(&Model::from_events(&run.events), &[]);
            let n = |k: &str| f[k].parse::<u64>().unwrap();
            (n("tasks_span_ms"), n("most_at_once"))
        })
    };
    for method in METHODS {
        let (blocking, not_blocking) = (run(method, "apply"), run(method, "apply_async"));
        let (blocking, not_blocking) = (blocking.join().unwrap(), not_blocking.join().unwrap());
        assert_eq!(blocking.1, 1, "{method}: apply runs one task at a time");
        assert!(not_blocking.1 > 1, "{method}: apply_async {not_blocking:?}");
        assert!(
            blocking.0 >= 6 * 150 * 9 / 10,
            "{method}: apply took {blocking:?}"
        );
        // Loosely: ≈ 3 times longer. A spawn or forkserver Pool's workers
        // start one after another, and the first takes tasks while the
        // others still start: there apply_async is only surely faster.
        let factor = if method == "fork" { 13 } else { 10 };
        assert!(
            blocking.0 * 10 > not_blocking.0 * factor,
            "{method}: apply {blocking:?}, apply_async {not_blocking:?}"
        );
    }
}
