//! Spans on one track must nest (a trace viewer draws a track as a stack
//! of slices). A process's spans mostly do — a lock held inside a chunk —
//! but not always (a lock held past the end of a chunk). Each span goes on
//! the first lane of its process where it nests; lane 0 is the process's
//! own track, more lanes appear only for spans that overlap.

use std::collections::HashMap;

use super::timeline::Span;

/// The lane of each span, in the order of `spans`.
pub fn assign(spans: &[Span]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    // By start; at equal starts the longer (the outer) span first.
    order.sort_by_key(|&i| (spans[i].start, std::cmp::Reverse(spans[i].end)));
    // Per process, per lane: the ends of the spans still open there.
    let mut open: HashMap<i32, Vec<Vec<u64>>> = HashMap::new();
    let mut lanes = vec![0; spans.len()];
    for i in order {
        let span = &spans[i];
        let stacks = open.entry(span.pid).or_default();
        lanes[i] = place(stacks, span.start, span.end);
    }
    lanes
}

/// The first lane where `start..end` nests (every span still open there
/// ends at or after `end`); a new lane if none.
fn place(stacks: &mut Vec<Vec<u64>>, start: u64, end: u64) -> usize {
    for (lane, stack) in stacks.iter_mut().enumerate() {
        // Spans that ended by `start` are closed: this one comes after them.
        while stack.last().is_some_and(|&e| e <= start) {
            stack.pop();
        }
        if stack.last().is_none_or(|&e| e >= end) {
            stack.push(end);
            return lane;
        }
    }
    stacks.push(vec![end]);
    stacks.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(pid: i32, start: u64, end: u64) -> Span {
        Span {
            pid,
            start,
            end,
            name: String::new(),
            cat: "test",
            args: Default::default(),
        }
    }

    #[test]
    fn nested_and_following_spans_share_a_lane() {
        let spans = [
            span(1, 0, 10),
            span(1, 2, 5),
            span(1, 5, 9),
            span(1, 10, 12),
        ];
        assert_eq!(assign(&spans), [0, 0, 0, 0]);
    }

    #[test]
    fn an_overlapping_span_gets_the_next_lane() {
        // A lock acquired in a chunk and released after it ended.
        let spans = [span(1, 0, 10), span(1, 8, 14), span(1, 11, 12)];
        assert_eq!(assign(&spans), [0, 1, 0]);
    }

    #[test]
    fn processes_have_their_own_lanes() {
        let spans = [span(1, 0, 10), span(2, 5, 15)];
        assert_eq!(assign(&spans), [0, 0]);
    }
}
