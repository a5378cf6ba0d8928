//! Facts of the process-lifecycle lessons (terminate-is-alive,
//! start-methods), asserted from real runs under fork, spawn and
//! forkserver.

mod common;

use common::*;
use forklore::lesson::facts::facts;
use forklore::model::Model;
use forklore::protocol::Body;

/// (name, pid) of every child the script started itself, from main's
/// side (`Process.start()` returned, with the name): a child terminated
/// early may never report anything itself.
fn children(run: &Headless) -> Vec<(String, i32)> {
    let mut kids: Vec<(String, i32)> = Vec::new();
    for e in &run.events {
        if let Body::ProcSpawn {
            child,
            name: Some(name),
            ..
        } = &e.body
        {
            if !kids.iter().any(|(_, pid)| pid == child) {
                kids.push((name.clone(), *child));
            }
        }
    }
    kids
}

fn alive_answers(run: &Headless, child: i32) -> Vec<bool> {
    run.events
        .iter()
        .filter_map(|e| match e.body {
            Body::Alive { child: c, alive } if c == child => Some(alive),
            _ => None,
        })
        .collect()
}

fn exit_of(run: &Headless, pid: i32) -> Option<i32> {
    run.events.iter().find_map(|e| match e.body {
        Body::ProcExit { exitcode, .. } if e.pid == pid => Some(exitcode),
        _ => None,
    })
}

#[test]
fn terminate_gives_minus_15_and_is_alive_turns_false_after_join() {
    let folder = "13-terminate-is-alive";
    for (method, run) in under_every_method(folder, &["--wait", "0.6"]) {
        let kids = children(&run);
        let pid = |name: &str| kids.iter().find(|(n, _)| n == name).expect(name).1;
        let (quick, slow) = (pid("quick"), pid("slow"));
        assert_eq!(exit_of(&run, slow), Some(-15), "{method}: terminated");
        assert_eq!(exit_of(&run, quick), Some(0), "{method}: finished");
        let answers = alive_answers(&run, slow);
        assert_eq!(answers.first(), Some(&true), "{method}: alive before");
        assert_eq!(answers.last(), Some(&false), "{method}: gone after join");
        assert_eq!(answers.len(), 3, "{method}: asked three times");
        let signals: Vec<(i32, i32)> = run
            .events
            .iter()
            .filter_map(|e| match e.body {
                Body::Signal { child, signal } => Some((child, signal)),
                _ => None,
            })
            .collect();
        assert_eq!(signals, vec![(slow, 15)], "{method}: one SIGTERM, to slow");
        let f = facts(&Model::from_events(&run.events), &[]);
        assert_eq!(f["signalled_exit"], "-15");
        assert_eq!(f["alive_before_signal"], "True");
        assert_eq!(f["alive_after_join"], "False");
        assert_eq!(f["finished_children"], "1");
        let out = run.stdout();
        assert!(out.contains("slow exitcode = -15"), "{method}: {out}");
        let slow_finished = format!("slow PID {slow} finished");
        assert!(
            !out.contains(&slow_finished),
            "{method}: stopped early: {out}"
        );
    }
}

#[test]
fn without_terminate_both_children_exit_0() {
    let run = run_lesson_under(
        "13-terminate-is-alive",
        "fork",
        &[],
        &["--terminate", "false", "--seconds", "0.5", "--wait", "0.2"],
    );
    let kids = children(&run);
    for (name, pid) in &kids {
        assert_eq!(exit_of(&run, *pid), Some(0), "{name}");
    }
    assert_eq!(run.of_kind("signal").count(), 0);
    let f = facts(&Model::from_events(&run.events), &[]);
    assert_eq!(f["last_child_exit"], "0");
    assert_eq!(f["finished_children"], "2");
    assert!(run.stdout().contains("slow PID"), "{}", run.stdout());
}

/// Processes whose module-level print ran, from the output itself.
fn module_prints(run: &Headless) -> Vec<String> {
    // Split on the words, not on lines: two children printing at once can
    // share a line (the lesson prints without a lock).
    run.stdout()
        .split("module-level code ran in PID ")
        .skip(1)
        .map(|rest| rest.lines().next().unwrap_or("").to_string())
        .collect()
}

#[test]
fn start_methods_module_code_and_the_childs_view_follow_the_method() {
    let count = 3usize;
    let runs: Vec<_> = METHODS
        .iter()
        .map(|m| {
            let m = m.to_string();
            std::thread::spawn(move || {
                let sets = [format!("start_method={m}"), format!("children={count}")];
                let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
                (m.clone(), run_lesson("start-methods", &sets))
            })
        })
        .collect();
    for r in runs {
        let (method, run) = r.join().unwrap();
        let fresh = method != "fork";
        let reimports: Vec<i32> = run
            .events
            .iter()
            .filter(|e| matches!(&e.body, Body::MainImport { name } if name == "__mp_main__"))
            .map(|e| e.pid)
            .collect();
        let kids: Vec<i32> = children(&run).into_iter().map(|(_, p)| p).collect();
        assert_eq!(kids.len(), count, "{method}");
        let want = if fresh { count } else { 0 };
        assert_eq!(reimports.len(), want, "{method}: re-imports {reimports:?}");
        assert!(
            reimports.iter().all(|p| kids.contains(p)),
            "{method}: by the children"
        );
        // The script's own output agrees: one module-level print per run.
        assert_eq!(
            module_prints(&run).len(),
            1 + want,
            "{method}: {}",
            run.stdout()
        );
        let f = facts(&Model::from_events(&run.events), &["greeting".to_string()]);
        assert_eq!(f["module_runs"], (1 + want).to_string(), "{method}");
        let seen = if fresh {
            "'set at import'"
        } else {
            "'changed by main'"
        };
        assert_eq!(f["children_view"], seen, "{method}");
        for kid in &kids {
            let line = format!("child PID {kid} sees greeting = {seen}");
            assert!(run.stdout().contains(&line), "{method}: {}", run.stdout());
        }
    }
}
