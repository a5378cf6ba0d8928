//! What a run ended in, and the runs grouped by it: how many schedules
//! reach each outcome and the shortest one that does (fewest decisions,
//! see `trace::decisions`; then fewest steps).

use std::path::Path;

use serde_json::json;

use super::trace::decisions;
use super::Move;

/// One run's outcome, with every process named by its stable name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Outcome {
    /// The program's stdout, PIDs replaced by process names.
    pub stdout: String,
    /// The script's exit status (None: it was stopped).
    pub exitcode: Option<i32>,
    /// Each process's exit code, by name (the program's own processes).
    pub procs: Vec<(String, Option<i32>)>,
    /// `deadlock: Process-1 holds lock_a, waits for lock_b; …`, or why
    /// the run was stopped otherwise.
    pub stopped: Option<String>,
}

impl Outcome {
    /// One line: `final 1 · exit 0` or `deadlock: …`.
    pub fn headline(&self) -> String {
        let out = self.stdout.trim_end().replace('\n', " ⏎ ");
        let out = if out.is_empty() {
            "(no output)".into()
        } else {
            out
        };
        match (&self.stopped, self.exitcode) {
            (Some(why), _) => format!("{why} (output so far: {out})"),
            (None, Some(code)) => format!("{out} · exit {code}"),
            (None, None) => out,
        }
    }
}

/// All the runs that reached one outcome.
#[derive(Clone, Debug)]
pub struct Group {
    pub outcome: Outcome,
    pub runs: usize,
    /// The shortest schedule reaching it: every step (for the file).
    pub shortest: Vec<Move>,
    /// Its decisions (indexes into `shortest`).
    pub decisions: Vec<usize>,
}

impl Group {
    /// The decisions as one readable line.
    pub fn line(&self) -> String {
        let steps: Vec<String> = self
            .decisions
            .iter()
            .map(|&i| self.shortest[i].describe())
            .collect();
        if steps.is_empty() {
            "(no decision: the program orders itself)".into()
        } else {
            steps.join(" · ")
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Report {
    pub schedules: usize,
    pub complete: bool,
    pub groups: Vec<Group>,
    /// Runs that could not follow their schedule (the program is not
    /// deterministic under a schedule: time, randomness…).
    pub diverged: usize,
    /// Every PID seen in any run (to check none survives).
    pub pids: Vec<i32>,
    pub seconds: f64,
}

impl Report {
    /// Count one run that took `moves` and ended in `outcome`.
    pub fn add(&mut self, outcome: Outcome, moves: Vec<Move>) {
        self.schedules += 1;
        let refs: Vec<&Move> = moves.iter().collect();
        let decided = decisions(&refs);
        let shorter =
            |g: &Group| (decided.len(), moves.len()) < (g.decisions.len(), g.shortest.len());
        match self.groups.iter_mut().find(|g| g.outcome == outcome) {
            Some(g) => {
                g.runs += 1;
                if shorter(g) {
                    g.shortest = moves;
                    g.decisions = decided;
                }
            }
            None => self.groups.push(Group {
                outcome,
                runs: 1,
                shortest: moves,
                decisions: decided,
            }),
        }
    }

    /// The printed result.
    pub fn text(&self) -> String {
        let status = if self.complete {
            "complete"
        } else {
            "stopped early"
        };
        let n = self.groups.len();
        let mut s = format!(
            "explored {} schedule{} ({status}): {n} outcome{}\n",
            self.schedules,
            plural(self.schedules),
            plural(n)
        );
        for (i, g) in self.groups.iter().enumerate() {
            s += &format!(
                "\n{}. {}\n   {} schedule{}; shortest ({} decision{}): {}\n",
                i + 1,
                g.outcome.headline(),
                g.runs,
                plural(g.runs),
                g.decisions.len(),
                plural(g.decisions.len()),
                g.line()
            );
        }
        if self.diverged > 0 {
            s += &format!(
                "\n{} run{} did not follow its schedule: the program does not always \
                 take the same steps (time, randomness?); the search may have missed orders\n",
                self.diverged,
                plural(self.diverged)
            );
        }
        s
    }

    /// `--out DIR`: `outcome-N.schedule` for each outcome, `summary.json`.
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut outcomes = Vec::new();
        for (i, g) in self.groups.iter().enumerate() {
            let file = format!("outcome-{}.schedule", i + 1);
            std::fs::write(dir.join(&file), schedule_text(g))?;
            let procs: serde_json::Map<String, serde_json::Value> = g
                .outcome
                .procs
                .iter()
                .map(|(name, code)| (name.clone(), json!(code)))
                .collect();
            outcomes.push(json!({
                "stdout": g.outcome.stdout,
                "exitcode": g.outcome.exitcode,
                "processes": procs,
                "stopped": g.outcome.stopped,
                "runs": g.runs,
                "shortest": file,
                "decisions": g.decisions.len(),
                "steps": g.line(),
            }));
        }
        let summary = json!({
            "schedules": self.schedules,
            "complete": self.complete,
            "diverged": self.diverged,
            "outcomes": outcomes,
        });
        let text = serde_json::to_string_pretty(&summary).map_err(std::io::Error::other)?;
        std::fs::write(dir.join("summary.json"), text + "\n")
    }
}

/// The shortest schedule as a file `forklore run --schedule` replays:
/// every step, the decisions marked.
fn schedule_text(g: &Group) -> String {
    let schedule = crate::schedule::Schedule {
        steps: g
            .shortest
            .iter()
            .enumerate()
            .map(|(i, m)| crate::schedule::Step {
                who: m.who.clone(),
                op: m.op.clone(),
                obj: m.obj.clone(),
                line: i + 1,
            })
            .collect(),
    };
    let mut text = format!(
        "# forklore explore: {}\n# {} decision{} (marked ◆); every step is listed so it replays exactly\n",
        g.outcome.headline(),
        g.decisions.len(),
        plural(g.decisions.len())
    );
    for (i, line) in schedule.to_text().lines().skip(1).enumerate() {
        text += line;
        if g.decisions.contains(&i) {
            text += "   # ◆";
        }
        text += "\n";
    }
    text
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
