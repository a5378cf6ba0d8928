//! The facts of a run that narration, `[[predict]]` questions and
//! `--repeat` histograms use, computed from hand-written events (written
//! as the JSON the shim sends, as in a recording).

mod common;

use common::json_events as events;
use forklore::lesson::facts::{facts, label, Facts, KNOWN};
use forklore::model::Model;

fn facts_of(text: &str, watch: &[&str]) -> Facts {
    let watch: Vec<String> = watch.iter().map(|s| s.to_string()).collect();
    facts(&Model::from_events(&events(text)), &watch)
}

const HELLO: &str = r#"{"kind":"hello","v":2,"python":"3.11.7","start_method":"fork","script":"x.py","pid":10}
{"kind":"proc_start","ppid":1,"role":"main","name":"MainProcess","pid":10}"#;

/// Pool(3).map over 600 items: worker 2 (pid 12) takes 3 chunks, the
/// others 2 and 0.
fn pool_run() -> String {
    let mut s = format!(
        r#"{HELLO}
{{"kind":"proc_start","ppid":10,"role":"pool_worker","name":"ForkPoolWorker-1","pid":11}}
{{"kind":"proc_start","ppid":10,"role":"pool_worker","name":"ForkPoolWorker-2","pid":12}}
{{"kind":"proc_start","ppid":10,"role":"pool_worker","name":"ForkPoolWorker-3","pid":13}}
{{"kind":"map","job":0,"items":600,"chunksize":50,"chunks":12,"workers":3,"pid":10}}
"#
    );
    for (index, pid) in [(0, 12), (1, 11), (2, 12), (3, 11), (4, 12)] {
        s.push_str(&format!(
            "{{\"kind\":\"chunk_take\",\"job\":0,\"index\":{index},\"size\":50,\"pid\":{pid}}}\n"
        ));
    }
    s
}

#[test]
fn pool_facts_name_workers_by_start_order() {
    let f = facts_of(&pool_run(), &[]);
    assert_eq!(f["busiest_worker"], "2", "pid 12 started second");
    assert_eq!(f["chunk_spread"], "3", "3 chunks against none");
    assert_eq!(f["even_split"], "200");
    assert_eq!(f["formula_chunksize"], "50", "divmod(600, 12) = (50, 0)");
    assert_eq!(f["job_chunksize"], "50");
    // A fourth chunk for pid 11: two workers with 3 chunks each.
    let tie = pool_run() + r#"{"kind":"chunk_take","job":0,"index":5,"size":50,"pid":11}"#;
    let f = facts_of(&tie, &[]);
    assert_eq!(f["busiest_worker"], "tie");
    assert_eq!(f["chunk_spread"], "3");
}

#[test]
fn no_chunk_taken_yet_means_no_busiest_worker() {
    let run: String = pool_run().lines().take(6).collect::<Vec<_>>().join("\n");
    let f = facts_of(&run, &[]);
    assert!(!f.contains_key("busiest_worker"), "{f:?}");
    assert_eq!(f["even_split"], "200");
}

const CHILDREN: &str = r#"
{"kind":"proc_start","ppid":10,"role":"process","name":"Process-1","pid":21}
{"kind":"proc_start","ppid":10,"role":"process","name":"Process-2","pid":22}
"#;

#[test]
fn daemonic_children_killed_after_mains_code() {
    let run = format!(
        r#"{HELLO}{CHILDREN}
{{"kind":"script_end","pid":10}}
{{"kind":"proc_exit","exitcode":-15,"pid":21}}
{{"kind":"proc_exit","exitcode":-15,"pid":22}}"#
    );
    let f = facts_of(&run, &[]);
    assert_eq!(f["children_exit"], "-15");
    assert_eq!(f["main_code_ended_first"], "true");
    assert_eq!(f["exit_codes"], "21=-15, 22=-15");
}

#[test]
fn joined_children_end_before_mains_code() {
    let run = format!(
        r#"{HELLO}{CHILDREN}
{{"kind":"proc_exit","exitcode":0,"pid":21}}
{{"kind":"proc_exit","exitcode":3,"pid":22}}
{{"kind":"script_end","pid":10}}"#
    );
    let f = facts_of(&run, &[]);
    assert_eq!(f["children_exit"], "mixed");
    assert_eq!(f["main_code_ended_first"], "false");
    // Before main's code ends, nobody can tell.
    let early = format!("{HELLO}{CHILDREN}");
    assert!(!facts_of(&early, &[]).contains_key("main_code_ended_first"));
}

/// A producer and a consumer: `empty = Semaphore(2)`, `full = Semaphore(0)`,
/// a Queue(10) that holds two items at most; the producer waits on `empty`
/// twice, the consumer on `full` once.
const BUFFER: &str = r#"
{"kind":"sync","id":"f","type":"Semaphore","name":"full","op":"blocked","value":0,"pid":22}
{"kind":"sync","id":"e","type":"Semaphore","name":"empty","op":"acquired","value":1,"pid":21}
{"kind":"queue","id":"q","name":"buffer","op":"put","item":"'p0-0'","maxsize":10,"pid":21}
{"kind":"queue","id":"q","name":"buffer","op":"put_done","item":"'p0-0'","size":1,"pid":21}
{"kind":"sync","id":"f","type":"Semaphore","name":"full","op":"released","value":1,"pid":21}
{"kind":"sync","id":"e","type":"Semaphore","name":"empty","op":"acquired","value":0,"pid":21}
{"kind":"queue","id":"q","name":"buffer","op":"put","item":"'p0-1'","maxsize":10,"pid":21}
{"kind":"queue","id":"q","name":"buffer","op":"put_done","item":"'p0-1'","size":2,"pid":21}
{"kind":"sync","id":"e","type":"Semaphore","name":"empty","op":"blocked","value":0,"pid":21}
{"kind":"sync","id":"f","type":"Semaphore","name":"full","op":"acquired","value":0,"pid":22}
{"kind":"queue","id":"q","name":"buffer","op":"get","item":"'p0-0'","size":1,"pid":22}
{"kind":"sync","id":"e","type":"Semaphore","name":"empty","op":"released","value":1,"pid":22}
{"kind":"sync","id":"e","type":"Semaphore","name":"empty","op":"acquired","value":0,"pid":21}
{"kind":"sync","id":"e","type":"Semaphore","name":"empty","op":"blocked","value":0,"pid":21}
"#;

#[test]
fn buffer_peak_and_who_waited_most() {
    let run = format!("{HELLO}{CHILDREN}{BUFFER}");
    let f = facts_of(&run, &[]);
    assert_eq!(f["queue_peak"], "2", "never more than empty's 2 tokens");
    assert_eq!(f["waited_most"], "empty", "2 waits against 1");
    let model = Model::from_events(&events(&run));
    let empty = model.sync.get("e").unwrap();
    assert_eq!(
        (empty.tokens, empty.value, empty.blocks),
        (Some(2), Some(0), 2)
    );
    let full = model.sync.get("f").unwrap();
    assert_eq!((full.tokens, full.value), (Some(1), Some(0)));
}

#[test]
fn nobody_waiting_is_a_fact_too() {
    let run = format!(
        r#"{HELLO}
{{"kind":"sync","id":"l","type":"Lock","name":"lock","op":"acquired","value":0,"pid":10}}"#
    );
    assert_eq!(facts_of(&run, &[])["waited_most"], "none");
}

fn proxy(pid: i32, method: &str, args: &str, result: &str) -> String {
    format!(
        r#"{{"kind":"proxy","server":50,"id":"d","typeid":"dict","method":"{method}","args":[{args}],"result":"{result}","pid":{pid}}}"#
    ) + "\n"
}

#[test]
fn manager_counter_calls_and_lost_writes() {
    let k = r#""'count'""#;
    let mut run = format!("{HELLO}\n");
    run += &proxy(10, "__getitem__", k, "3");
    // 21 and 22 both read 3 and write 2: one update lost; 23 reads 2.
    run += &proxy(21, "__getitem__", k, "3");
    run += &proxy(22, "__getitem__", k, "3");
    run += &proxy(21, "__setitem__", &format!(r#"{k},"2""#), "None");
    run += &proxy(22, "__setitem__", &format!(r#"{k},"2""#), "None");
    run += &proxy(23, "__getitem__", k, "2");
    run += &proxy(23, "__setitem__", &format!(r#"{k},"1""#), "None");
    let f = facts_of(&run, &[]);
    assert_eq!(f["counter"], "1");
    assert_eq!(f["lost_updates"], "1");
    assert_eq!(f["calls_per_client"], "2", "main's one read aside");
    let model = Model::from_events(&events(&run));
    let lost: Vec<(i32, bool)> = model.managers.servers[&50]
        .recent
        .iter()
        .filter(|c| c.method == "__setitem__")
        .map(|c| (c.client, c.lost))
        .collect();
    assert_eq!(lost, vec![(21, false), (22, true), (23, false)]);
}

/// `print("Pid:", pid, "LoopCount:", k)` unbuffered: eight writes.
fn print_line(pid: i32, k: u32) -> String {
    [
        "Pid:",
        " ",
        &pid.to_string(),
        " ",
        "LoopCount:",
        " ",
        &k.to_string(),
        "\\n",
    ]
    .iter()
    .map(|t| format!("{{\"kind\":\"write\",\"fd\":1,\"text\":\"{t}\",\"pid\":{pid}}}\n"))
    .collect()
}

#[test]
fn writes_per_line_counts_the_pieces_of_a_print() {
    let run = format!(
        "{HELLO}{CHILDREN}{}{}{}",
        print_line(21, 0),
        print_line(22, 0),
        print_line(21, 1)
    );
    let f = facts_of(&run, &[]);
    assert_eq!(
        (f["writes_per_line"].as_str(), f["lines_written"].as_str()),
        ("8", "3")
    );
    assert!(
        !facts_of(HELLO, &[]).contains_key("writes_per_line"),
        "no line yet"
    );
}

/// Main terminates child 22 and asks is_alive() before, right after and
/// after join(); child 21 re-imported the script; a JSON file is shared.
const CALLS: &str = r#"
{"kind":"main_import","name":"__mp_main__","pid":21}
{"kind":"alive","child":22,"alive":true,"pid":10}
{"kind":"signal","child":22,"signal":15,"pid":10}
{"kind":"alive","child":22,"alive":true,"pid":10}
{"kind":"join","child":22,"op":"waiting","exitcode":null,"pid":10}
{"kind":"proc_exit","exitcode":-15,"pid":22}
{"kind":"join","child":22,"op":"joined","exitcode":-15,"pid":10}
{"kind":"alive","child":22,"alive":false,"pid":10}
{"kind":"file","path":"/tmp/t.json","op":"write","text":"{\"tickets\": 3}","pid":10}
{"kind":"file","path":"/tmp/t.json","op":"read","text":"{\"tickets\": 3}","pid":21}
{"kind":"file","path":"/tmp/t.json","op":"write","text":"{\"tickets\": 2}","pid":21}
{"kind":"sync","id":"c1","type":"Condition","name":"cond","op":"blocked","value":0,"pid":21}
{"kind":"sync","id":"c1","type":"Condition","name":"cond","op":"acquired","value":0,"pid":21}
{"kind":"sync","id":"c1","type":"Condition","name":"cond","op":"waiting","pid":21}
{"kind":"sync","id":"c1","type":"Condition","name":"cond","op":"notify","value":1,"pid":10}
{"kind":"sync","id":"c1","type":"Condition","name":"cond","op":"acquired","pid":21}
{"kind":"queue","id":"jq","name":"q","op":"put","item":"1","maxsize":0,"pid":10}
{"kind":"queue","id":"jq","name":"q","op":"put_done","item":"1","size":1,"unfinished":1,"pid":10}
{"kind":"queue","id":"jq","name":"q","op":"join","unfinished":1,"pid":10}
{"kind":"queue","id":"jq","name":"q","op":"get","item":"1","size":0,"pid":21}
{"kind":"queue","id":"jq","name":"q","op":"task_done","unfinished":0,"pid":21}
{"kind":"queue","id":"jq","name":"q","op":"joined","unfinished":0,"pid":10}
{"kind":"apply","pool":10,"job":7,"name":"work","blocking":false,"callback":true,"error_callback":true,"pid":10}
{"kind":"chunk_take","pool":10,"job":7,"index":0,"size":1,"pid":21}
{"kind":"chunk_done","pool":10,"job":7,"index":0,"ok":false,"pid":21}
{"kind":"callback","pool":10,"job":7,"which":"error_callback","pid":10}
{"kind":"pipe","op":"open","end":"5","other":"6","pid":10}
{"kind":"pipe","op":"send","end":"5","item":"'ping'","pid":10}
{"kind":"pipe","op":"recv","end":"6","item":"'ping'","pid":21}
{"kind":"shared","id":"v1","type":"Value","name":"counter","op":"read","value":"0","pid":21}
{"kind":"shared","id":"v1","type":"Value","name":"counter","op":"read","value":"0","pid":22}
{"kind":"shared","id":"v1","type":"Value","name":"counter","op":"write","value":"1","pid":21}
{"kind":"shared","id":"v1","type":"Value","name":"counter","op":"write","value":"1","pid":22}
{"kind":"shared","id":"a1","type":"Array","name":"squares","op":"write","value":"4","index":2,"pid":21}
"#;

#[test]
fn calls_on_children_reimports_and_files() {
    let run = format!("{HELLO}{CHILDREN}{CALLS}");
    let f = facts_of(&run, &[]);
    assert_eq!(f["signalled_exit"], "-15");
    assert_eq!(
        (
            f["alive_before_signal"].as_str(),
            f["alive_after_signal"].as_str(),
            f["alive_after_join"].as_str()
        ),
        ("True", "True", "False")
    );
    assert_eq!(f["module_runs"], "2", "main, and child 21 again");
    assert_eq!(f["file_writes"], "1", "main's set-up write is not a sale");
    assert_eq!(f["file_reads"], "1");
    assert_eq!(f["file_text"], r#"{"tickets": 2}"#);
    assert_eq!(f["last_child_exit"], "-15");
    assert_eq!(f["finished_children"], "0");
    // The blocked-then-acquired `with cond:` is not a wake; the wait is.
    assert_eq!((f["notifies"].as_str(), f["woken"].as_str()), ("1", "1"));
    assert_eq!(f["woken_early"], "0");
    assert_eq!(f["wakes_per_notify"], "1");
    assert_eq!(f["unfinished_at_join"], "1");
    assert_eq!(f["done_when_joined"], "1");
    assert_eq!(
        (f["task_dones"].as_str(), f["items_got"].as_str()),
        ("1", "1")
    );
    assert_eq!(f["apply_tasks"], "1");
    assert_eq!(f["callbacks_in_main"], "true", "pid 10 is main");
    assert_eq!(f["error_callbacks"], "1");
    assert_eq!(f["tasks_span_ms"], "1", "taken and done 1 ms apart");
    assert_eq!(f["most_at_once"], "1");
    assert_eq!(
        (f["pipe_sent"].as_str(), f["pipe_received"].as_str()),
        ("1", "1")
    );
    assert_eq!(f["pipe_ends_apart"], "true");
    // Two processes read 0 and both wrote 1: one increment lost.
    assert_eq!(f["shared_value"], "1");
    assert_eq!(f["lost_increments"], "1");
    assert_eq!(f["array_items"], "[0, 0, 4]");
    assert_eq!(f["array_writes"], "1");
    assert_eq!(
        (f["queue_puts"].as_str(), f["queue_gets"].as_str()),
        ("1", "1")
    );
}

#[test]
fn a_join_that_returned_without_the_exit_is_not_after_join() {
    // A join with a timeout returns while the child lives: no exit code.
    let run = format!(
        r#"{HELLO}{CHILDREN}
{{"kind":"join","child":22,"op":"joined","exitcode":null,"pid":10}}
{{"kind":"alive","child":22,"alive":true,"pid":10}}
{{"kind":"proc_exit","exitcode":0,"pid":22}}"#
    );
    let f = facts_of(&run, &[]);
    assert_eq!(f["alive_before_signal"], "True");
    assert!(!f.contains_key("alive_after_join") && !f.contains_key("signalled_exit"));
}

#[test]
fn every_fact_a_run_produces_is_known_and_labelled() {
    let mut run = format!("{}{CHILDREN}{CALLS}{BUFFER}", pool_run());
    run += &proxy(21, "__getitem__", r#""'count'""#, "3");
    run += &print_line(21, 0);
    run += r#"{"kind":"var","name":"pageList","repr":"[]","len":0,"pid":10}
{"kind":"var","name":"pageList","repr":"[1]","len":1,"pid":21}
{"kind":"script_end","pid":10}
{"kind":"proc_exit","exitcode":0,"pid":21}"#;
    let f = facts_of(&run, &["pageList"]);
    for name in f.keys() {
        assert!(
            label(name).is_some(),
            "fact `{name}` is not in facts::KNOWN"
        );
    }
    let missing: Vec<&str> = KNOWN
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !f.contains_key(n))
        .collect();
    assert!(missing.is_empty(), "never produced: {missing:?}");
    // docs/lessons.md describes every fact.
    let doc = include_str!("../docs/lessons.md");
    for (name, _) in KNOWN {
        assert!(
            doc.contains(&format!("`{{{name}}}`")),
            "{name} undocumented"
        );
    }
}
