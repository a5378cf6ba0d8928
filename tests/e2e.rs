//! End to end in a real terminal: forklore on the live screen inside tmux,
//! driven with send-keys and read with capture-pane, checked against /proc.

mod common;

use common::tmux::*;
use common::*;

/// forklore running the two-talkers fixture.
fn shell_command(extra_env: &str) -> String {
    in_shell(
        extra_env,
        &format!("run {}", fixture("two_talkers.py").display()),
    )
}

#[test]
fn pause_resume_restart_quit_in_a_real_terminal() {
    let t = Tmux::start("main", &shell_command(""));
    let forklore = forklore_pid(&t);
    let root = run_group(&t, forklore, 0);
    assert_eq!(
        t.show("#{alternate_on}"),
        "1",
        "the screen takes the alternate screen"
    );

    t.keys("Space");
    wait_for(
        "every process stopped (T) and PAUSED on screen",
        10,
        || group(root).iter().all(|(_, s)| *s == 'T') && t.screen().contains("PAUSED"),
        &t,
    );

    t.keys("Space");
    wait_for(
        "every process running again",
        10,
        || group(root).iter().all(|(_, s)| *s != 'T') && t.screen().contains("running"),
        &t,
    );

    let old: Vec<i32> = group(root).iter().map(|p| p.0).collect();
    t.keys("r");
    let new_root = run_group(&t, forklore, root);
    assert_ne!(new_root, root);
    for pid in &old {
        assert!(gone_within(*pid, 5), "old pid {pid} survived the restart");
    }

    let current: Vec<i32> = group(new_root).iter().map(|p| p.0).collect();
    quit(&t);
    for pid in current {
        assert!(gone_within(pid, 5), "pid {pid} survived quitting");
    }
    assert_eq!(
        t.show("#{alternate_on}"),
        "0",
        "the terminal is back from the alternate screen"
    );
}

#[test]
fn a_panic_restores_the_terminal_and_leaves_nothing() {
    let t = Tmux::start("panic", &shell_command("FORKLORE_TEST_PANIC_KEY=1"));
    let forklore = forklore_pid(&t);
    let root = run_group(&t, forklore, 0);
    let pids: Vec<i32> = group(root).iter().map(|p| p.0).collect();
    t.keys("!");
    wait_for(
        "forklore to exit after the panic",
        10,
        || t.screen().contains("FORKLORE-EXITED"),
        &t,
    );
    for pid in pids {
        assert!(gone_within(pid, 5), "pid {pid} survived the panic");
    }
    assert_eq!(t.show("#{alternate_on}"), "0");
    assert!(
        t.history().contains("test panic requested"),
        "the panic message is shown: {}",
        t.history()
    );
}

#[test]
fn picker_starts_a_lesson_and_the_editor_restarts_it_with_a_new_value() {
    // Today's free pace: this test is about the picker and the editor.
    let t = Tmux::start("picker", &in_shell("", "--pace free --no-predict"));
    wait_for(
        "the picker",
        10,
        || t.screen().contains("chunked-map") && t.screen().contains("Lessons"),
        &t,
    );
    t.keys("2"); // lesson 2 (the list is grouped by theme)
    t.keys("Enter");
    wait_for(
        "chunked-map running with 1000 items",
        20,
        || t.screen().contains("Pool.map · 1000 items"),
        &t,
    );
    let forklore = forklore_pid(&t);
    let first = children_of(forklore)
        .into_iter()
        .find(|c| c.1.starts_with("python"))
        .map(|c| c.0);

    t.keys("e");
    wait_for(
        "the parameter editor",
        10,
        || t.screen().contains("Parameters · chunked-map"),
        &t,
    );
    t.keys("Down"); // items
    for _ in 0..8 {
        t.keys("BSpace");
    }
    t.keys("300");
    t.keys("Enter");
    wait_for(
        "the run restarted with 300 items",
        20,
        || t.screen().contains("Pool.map · 300 items"),
        &t,
    );
    if let Some(pid) = first {
        assert!(
            gone_within(pid, 5),
            "the first run's main process {pid} was stopped"
        );
    }
    assert!(
        t.screen().contains("Narration"),
        "the narration panel is shown"
    );
    quit(&t);
}

#[test]
fn autoplay_pauses_the_processes_at_each_beat() {
    let t = Tmux::start(
        "autoplay",
        &in_shell("", "lesson daemon-join --set join=true --autoplay 1.5"),
    );
    let forklore = forklore_pid(&t);
    let mut seen_paused = false;
    wait_for(
        "processes stopped (T) at a beat",
        20,
        || {
            let root = children_of(forklore)
                .into_iter()
                .find(|c| c.1.starts_with("python"))
                .map_or(0, |c| c.0);
            let members = if root != 0 { group(root) } else { vec![] };
            seen_paused = members.len() >= 2
                && members.iter().all(|(_, s)| *s == 'T')
                && t.screen().contains("PAUSED");
            seen_paused
        },
        &t,
    );
    wait_for(
        "the lesson to run to its end by itself",
        60,
        || t.screen().contains("finished, exit 0"),
        &t,
    );
    quit(&t);
}

#[test]
fn without_python_the_picker_shows_recorded_runs_and_says_so() {
    let t = Tmux::start("nopython", &in_shell("", "--python /nonexistent"));
    wait_for("the picker", 10, || t.screen().contains("Lessons"), &t);
    t.keys("Enter");
    wait_for(
        "the recording, said so on screen",
        10,
        || {
            let s = t.screen();
            s.contains("no usable Python") && s.contains("recording · isolated-globals")
        },
        &t,
    );
    wait_for(
        "the recorded run to play to its end",
        20,
        || t.screen().contains("finished, exit 0"),
        &t,
    );
    quit(&t);
}

/// Closing the terminal window (the pty goes away, SIGHUP) under a live
/// run: forklore notices, stops every process of the run, removes its
/// private folder and exits instead of hanging or panicking.
#[test]
fn closing_the_window_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let err = dir.path().join("stderr");
    let t = Tmux::start(
        "hangup",
        &format!(
            "exec {} run {} 2>{}",
            env!("CARGO_BIN_EXE_forklore"),
            fixture("two_talkers.py").display(),
            err.display()
        ),
    );
    let forklore: i32 = t.show("#{pane_pid}").parse().expect("pane pid");
    let root = run_group(&t, forklore, 0);
    let pids: Vec<i32> = group(root).iter().map(|p| p.0).collect();
    let private = std::fs::read_to_string(format!("/proc/{root}/environ"))
        .unwrap()
        .split('\0')
        .find_map(|v| v.strip_prefix("FORKLORE_SOCK=").map(String::from))
        .map(|sock| {
            std::path::PathBuf::from(sock)
                .parent()
                .unwrap()
                .to_path_buf()
        })
        .expect("the run's socket");
    t.cmd(&["kill-window", "-t", "e2e"]);
    assert!(gone_within(forklore, 10), "forklore exited");
    for pid in pids {
        assert!(gone_within(pid, 5), "pid {pid} survived the closed window");
    }
    assert!(!private.exists(), "{} was removed", private.display());
    let stderr = std::fs::read_to_string(&err).unwrap_or_default();
    assert!(!stderr.contains("panicked"), "no panic: {stderr}");
}
