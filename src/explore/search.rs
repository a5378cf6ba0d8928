//! The depth-first search over schedules, without processes: a tree of
//! the states runs went through (each with the moves enabled there), the
//! choices still to try at each (DPOR's backtrack sets), and the moves
//! asleep at each (sleep sets: a move already explored from an earlier
//! state whose exploration covers this one). Runs report their traces;
//! the search says which schedule prefix to run next.

use super::trace::races;
use super::{independent, Move, Step};

/// What to run: let these moves go in this order, then go on with the
/// default policy (the first process, in creation order, whose move is
/// not asleep), starting with these moves asleep.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub prefix: Vec<Move>,
    pub sleep: Vec<Move>,
}

#[derive(Debug)]
struct Node {
    parent: Option<usize>,
    /// The move that led here from the parent.
    via: Option<Move>,
    enabled: Vec<Move>,
    sleep: Vec<Move>,
    /// Processes to try from here (by name), and those tried or running.
    todo: Vec<String>,
    done: Vec<String>,
    children: Vec<(String, usize)>,
    depth: usize,
}

#[derive(Debug)]
pub struct Search {
    nodes: Vec<Node>,
    /// Explore every order (no reduction): for comparison.
    reduce: bool,
    started: bool,
    /// Runs whose states did not match what earlier runs saw there.
    pub nondeterministic: usize,
}

impl Search {
    pub fn new(reduce: bool) -> Search {
        Search {
            nodes: Vec::new(),
            reduce,
            started: false,
            nondeterministic: 0,
        }
    }

    /// The next schedule to run, if any is left (marked as taken).
    pub fn next_plan(&mut self) -> Option<Plan> {
        if !self.started {
            self.started = true;
            return Some(Plan::default());
        }
        let n = self.pick()?;
        let node = &self.nodes[n];
        let who = node
            .todo
            .iter()
            .find(|w| !node.done.contains(w) && !node.asleep(w))?
            .clone();
        let chosen = node.enabled.iter().find(|m| m.who == who)?.clone();
        let mut sleep: Vec<Move> = node.sleep.clone();
        sleep.extend(
            node.enabled
                .iter()
                .filter(|m| node.done.contains(&m.who))
                .cloned(),
        );
        sleep.retain(|z| self.reduce && independent(z, &chosen));
        self.nodes[n].done.push(who);
        let mut prefix = self.path(n);
        prefix.push(chosen);
        Some(Plan { prefix, sleep })
    }

    /// The deepest state with a choice left to try (the latest among
    /// equals): depth first.
    fn pick(&mut self) -> Option<usize> {
        for node in &mut self.nodes {
            let (done, sleep) = (&node.done, &node.sleep);
            let asleep: Vec<String> = node
                .todo
                .iter()
                .filter(|w| !done.contains(w) && sleep.iter().any(|z| &z.who == *w))
                .cloned()
                .collect();
            node.done.extend(asleep);
        }
        (0..self.nodes.len())
            .filter(|&n| {
                let node = &self.nodes[n];
                node.todo.iter().any(|w| !node.done.contains(w))
            })
            .max_by_key(|&n| (self.nodes[n].depth, n))
    }

    fn path(&self, mut n: usize) -> Vec<Move> {
        let mut moves = Vec::new();
        while let Some(m) = &self.nodes[n].via {
            moves.push(m.clone());
            n = self.nodes[n].parent.unwrap_or(0);
        }
        moves.reverse();
        moves
    }

    /// A run of `plan` went through `trace` (`sleeps[k]`: the moves
    /// asleep at its state `prefix.len() + k`, past the plan's prefix).
    pub fn record(&mut self, plan: &Plan, trace: &[Step], sleeps: &[Vec<Move>]) {
        let mut at: Option<(usize, Move)> = None;
        let mut differs = false;
        for (k, step) in trace.iter().enumerate() {
            let sleep = k
                .checked_sub(plan.prefix.len())
                .and_then(|i| sleeps.get(i).cloned())
                .unwrap_or_default();
            let here = self.enter(at.take(), k, step, sleep);
            differs |= self.nodes[here].enabled != step.enabled;
            let taken = step.taken().clone();
            let node = &mut self.nodes[here];
            if !node.done.contains(&taken.who) {
                node.done.push(taken.who.clone());
            }
            if !self.reduce {
                node.todo = step.enabled.iter().map(|m| m.who.clone()).collect();
            }
            at = Some((here, taken));
        }
        if differs {
            self.nondeterministic += 1;
        }
        if self.reduce {
            self.backtrack(trace);
        }
    }

    /// The node of state `k` of a trace, reached from `from` by a move
    /// (created if new).
    fn enter(
        &mut self,
        from: Option<(usize, Move)>,
        k: usize,
        step: &Step,
        sleep: Vec<Move>,
    ) -> usize {
        let Some((p, via)) = from else {
            if self.nodes.is_empty() {
                self.nodes.push(Node::new(None, None, step, sleep, 0));
            }
            return 0;
        };
        let known = self.nodes[p].children.iter().find(|(w, _)| *w == via.who);
        if let Some(&(_, c)) = known {
            return c;
        }
        let id = self.nodes.len();
        self.nodes[p].children.push((via.who.clone(), id));
        self.nodes
            .push(Node::new(Some(p), Some(via), step, sleep, k));
        id
    }

    /// DPOR: for each race in the trace, try the later move's process
    /// first at the state before the earlier move (or, when it could not
    /// move there, every process that could).
    fn backtrack(&mut self, trace: &[Step]) {
        let moves: Vec<&Move> = trace.iter().map(Step::taken).collect();
        let mut states = Vec::with_capacity(trace.len());
        let mut n = 0;
        for k in 0..trace.len() {
            if k > 0 {
                let via = &trace[k - 1].taken().who;
                match self.nodes[n].children.iter().find(|(w, _)| w == via) {
                    Some(&(_, c)) => n = c,
                    None => break,
                }
            }
            states.push(n);
        }
        for (i, j) in races(&moves) {
            let Some(&s) = states.get(i) else { continue };
            let who = &moves[j].who;
            let node = &mut self.nodes[s];
            let add: Vec<String> = if node.enabled.iter().any(|m| &m.who == who) {
                vec![who.clone()]
            } else {
                node.enabled.iter().map(|m| m.who.clone()).collect()
            };
            for w in add {
                if !node.todo.contains(&w) {
                    node.todo.push(w);
                }
            }
        }
    }

    /// Nothing is left to try (the runs handed out may still add some).
    pub fn exhausted(&mut self) -> bool {
        self.started && self.pick().is_none()
    }

    /// States the search knows (for reports and tests).
    pub fn states(&self) -> usize {
        self.nodes.len()
    }
}

impl Node {
    fn new(
        parent: Option<usize>,
        via: Option<Move>,
        step: &Step,
        sleep: Vec<Move>,
        depth: usize,
    ) -> Node {
        Node {
            parent,
            via,
            enabled: step.enabled.clone(),
            sleep,
            todo: Vec::new(),
            done: Vec::new(),
            children: Vec::new(),
            depth,
        }
    }

    fn asleep(&self, who: &str) -> bool {
        self.sleep.iter().any(|z| z.who == who)
    }
}

/// The policy of one run: the plan's prefix, then the first process in
/// creation order whose move is not asleep; the sleep set follows each
/// move (a move stays asleep while the moves made are independent of it).
#[derive(Debug)]
pub struct Walker {
    plan: Plan,
    next: usize,
    sleep: Vec<Move>,
    /// The sleep set at each state past the prefix.
    pub sleeps: Vec<Vec<Move>>,
    /// Why the run could not follow its prefix, if it could not.
    pub diverged: Option<String>,
    /// Every enabled move was asleep somewhere: the run repeats one
    /// already explored (it is finished anyway, by the first process).
    pub redundant: bool,
}

impl Walker {
    pub fn new(plan: Plan) -> Walker {
        let sleep = plan.sleep.clone();
        Walker {
            plan,
            next: 0,
            sleep,
            sleeps: Vec::new(),
            diverged: None,
            redundant: false,
        }
    }

    /// Which of `enabled` goes next.
    pub fn choose(&mut self, enabled: &[Move]) -> usize {
        if let Some(want) = self.plan.prefix.get(self.next) {
            self.next += 1;
            if let Some(i) = enabled.iter().position(|m| m == want) {
                return i;
            }
            if self.diverged.is_none() {
                let found: Vec<String> = enabled.iter().map(Move::describe).collect();
                self.diverged = Some(format!(
                    "step {} ({}) could not be taken: holding were {}",
                    self.next,
                    want.describe(),
                    found.join(", ")
                ));
            }
            self.next = self.plan.prefix.len();
        }
        self.sleeps.push(self.sleep.clone());
        let awake = enabled.iter().position(|m| !self.sleep.contains(m));
        let i = awake.unwrap_or_else(|| {
            self.redundant = true;
            0
        });
        let chosen = &enabled[i];
        self.sleep.retain(|z| independent(z, chosen));
        i
    }
}
