//! What a run's trace says about its moves: which happen before which,
//! which race (DPOR's backtracking points), and which are decisions (what
//! a schedule's length counts).
//!
//! Happens-before is built from the program's own order (each process's
//! moves in turn; a `start X` before X's first move; X's last move
//! before the move that follows a `join X`) and, for races, from the
//! order of dependent moves in the trace.

use std::collections::HashMap;

use super::{independent, Move};

/// Vector clocks of a trace's moves, one entry per process.
struct Clocks {
    /// Each move's process, as an index.
    proc_of: Vec<usize>,
    /// Each move's clock once it happened.
    after: Vec<Vec<usize>>,
    /// Each move's process's clock just before it, counting only the
    /// program's order (not the dependent moves before it).
    before: Vec<Vec<usize>>,
}

impl Clocks {
    fn new(moves: &[&Move], with_deps: bool) -> Clocks {
        let mut ids: HashMap<&str, usize> = HashMap::new();
        for m in moves {
            let next = ids.len();
            ids.entry(m.who.as_str()).or_insert(next);
        }
        let n = ids.len();
        let mut clock = vec![vec![0; n]; n];
        let mut started: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut joins: HashMap<usize, Vec<&str>> = HashMap::new();
        let mut seen = vec![false; n];
        let mut c = Clocks {
            proc_of: Vec::new(),
            after: Vec::new(),
            before: Vec::new(),
        };
        for (j, m) in moves.iter().enumerate() {
            let p = ids[m.who.as_str()];
            let mut vc = clock[p].clone();
            if !seen[p] {
                seen[p] = true;
                if let Some(s) = started.get(m.who.as_str()) {
                    merge(&mut vc, s);
                }
            }
            for child in joins.remove(&p).unwrap_or_default() {
                if let Some(&q) = ids.get(child) {
                    merge(&mut vc, &clock[q].clone());
                }
            }
            c.before.push(vc.clone());
            if with_deps {
                for (i, earlier) in moves[..j].iter().enumerate() {
                    if dependent(earlier, m) {
                        merge(&mut vc, &c.after[i].clone());
                    }
                }
            }
            vc[p] += 1;
            clock[p] = vc.clone();
            match (m.op.as_str(), m.obj.as_deref()) {
                ("start", Some(child)) => {
                    started.insert(child, vc.clone());
                }
                ("join", Some(child)) => joins.entry(p).or_default().push(child),
                _ => {}
            }
            c.proc_of.push(p);
            c.after.push(vc);
        }
        c
    }

    /// Move `i` happens before move `j` (i < j) once `j` has happened.
    fn before_move(&self, i: usize, j: usize) -> bool {
        let p = self.proc_of[i];
        self.after[i][p] <= self.after[j][p]
    }

    /// Move `i` happens before move `j`'s process gets there by the
    /// program's order alone.
    fn before_process(&self, i: usize, j: usize) -> bool {
        let p = self.proc_of[i];
        self.after[i][p] <= self.before[j][p]
    }
}

fn merge(into: &mut [usize], other: &[usize]) {
    for (a, b) in into.iter_mut().zip(other) {
        *a = (*a).max(*b);
    }
}

fn dependent(a: &Move, b: &Move) -> bool {
    a.who != b.who && !independent(a, b)
}

/// DPOR's races: for each move `j`, the last earlier move `i` of another
/// process that it depends on and that does not already happen before
/// `j`'s process gets there. Trying `j`'s process before `i` (at the
/// state before `i`) may change the outcome. Pairs `(i, j)`.
pub fn races(moves: &[&Move]) -> Vec<(usize, usize)> {
    let clocks = Clocks::new(moves, true);
    let mut out = Vec::new();
    for j in 0..moves.len() {
        let last = (0..j)
            .rev()
            .find(|&i| dependent(moves[i], moves[j]) && !clocks.before_process(i, j));
        if let Some(i) = last {
            out.push((i, j));
        }
    }
    out
}

/// The moves whose order is up to the scheduler: each depends on a move
/// of another process that the program's own order (program order,
/// start, join) does not put before or after it. A schedule's length is
/// how many it has: moves the program orders by itself, or that touch
/// nothing another process touches, are not decisions.
pub fn decisions(moves: &[&Move]) -> Vec<usize> {
    let clocks = Clocks::new(moves, false);
    (0..moves.len())
        .filter(|&j| {
            (0..moves.len()).any(|i| {
                i != j && dependent(moves[i], moves[j]) && !clocks.before_move(i.min(j), i.max(j))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(who: &str, op: &str, obj: &str) -> Move {
        Move::new(who, op, Some(obj))
    }

    #[test]
    fn a_lost_update_has_four_decisions_and_the_program_order_none() {
        let ms = [
            m("MainProcess", "start", "Process-2"),
            m("MainProcess", "start", "Process-3"),
            m("MainProcess", "join", "Process-2"),
            m("Process-2", "read", "'count'"),
            m("Process-3", "read", "'count'"),
            m("Process-2", "write", "'count'"),
            m("Process-3", "write", "'count'"),
            m("MainProcess", "join", "Process-3"),
            m("MainProcess", "read", "'count'"),
            m("MainProcess", "print", "stdout"),
        ];
        let refs: Vec<&Move> = ms.iter().collect();
        assert_eq!(decisions(&refs), vec![3, 4, 5, 6]);
    }

    #[test]
    fn a_write_after_a_read_of_another_process_races_with_it() {
        let ms = [
            m("Process-2", "read", "'count'"),
            m("Process-2", "write", "'count'"),
            m("Process-3", "read", "'count'"),
            m("Process-3", "write", "'count'"),
        ];
        let refs: Vec<&Move> = ms.iter().collect();
        // P3's read races with P2's write; P3's write with P2's write is
        // already ordered through P3's read.
        assert_eq!(races(&refs), vec![(1, 2)]);
    }
}
