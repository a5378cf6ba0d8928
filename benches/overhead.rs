//! Shim overhead: `forklore run --headless` against plain `python3` on the
//! same script, as a ratio of median wall times. `cargo bench --bench overhead`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const REPEATS: usize = 9;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time(mut cmd: Command) -> Duration {
    let start = Instant::now();
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("command runs");
    assert!(status.success(), "{cmd:?} failed");
    start.elapsed()
}

fn python_times(python: &Path, script: &Path, arg: &str) -> Duration {
    let runs = (0..REPEATS).map(|_| {
        let mut c = Command::new(python);
        c.arg(script).arg(arg).env("PYTHONUNBUFFERED", "1");
        time(c)
    });
    median(runs.collect())
}

/// forklore runs with `--python <real interpreter>` so the shim's cost is
/// measured, not that of a wrapper such as pyenv's `python3` (a bash script
/// costing ~60 ms, paid once more when forklore resolves it). Baselines: the
/// real interpreter (the strict one) and `python3` as a user types it.
fn compare(label: &str, real: &Path, script: &Path, arg: &str) {
    let typed = python_times(Path::new("python3"), script, arg);
    let direct = python_times(real, script, arg);
    let shimmed: Vec<Duration> = (0..REPEATS)
        .map(|_| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_forklore"));
            c.args(["run", "--headless", "--python"])
                .arg(real)
                .arg(script)
                .arg("--")
                .arg(arg);
            time(c)
        })
        .collect();
    let s = median(shimmed);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "| {label} | {:.1} | {:.1} | {:.1} | {:.2}x | {:.2}x |",
        ms(typed),
        ms(direct),
        ms(s),
        s.as_secs_f64() / typed.as_secs_f64(),
        s.as_secs_f64() / direct.as_secs_f64()
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scripts");
    let real = forklore::runtime::python::resolve(None)
        .expect("python3")
        .executable;
    println!(
        "shim overhead, median of {REPEATS} runs; real interpreter {}",
        real.display()
    );
    println!("| workload | python3 (ms) | real interpreter (ms) | forklore run --headless (ms) | vs python3 | vs real |");
    println!("|---|---|---|---|---|---|");
    let pool = dir.join("pool_map.py");
    let lock = dir.join("lock_loop.py");
    compare("Pool.map 1e5 items", &real, &pool, "100000");
    compare("Pool.map 1e6 items", &real, &pool, "1000000");
    compare("Lock acquire/release x 1e4", &real, &lock, "10000");
    compare("Lock acquire/release x 1e5", &real, &lock, "100000");
}
