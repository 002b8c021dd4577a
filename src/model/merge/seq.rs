//! The three-way merge of a keyed sequence: what both list files and item files reduce to.
//!
//! A sequence is a list of pieces, each with a key unique in its sequence (an item ID, a field
//! name, a criterion number, a line of prose) and its text. Given the merge base and the two
//! sides, the merge keeps every addition and removal of either side, and every move:
//!
//! 1. For each side, the keys it did not move are a longest subsequence it shares with the base
//!    (a longest increasing subsequence of base positions, O(n log n)). A key that some such
//!    reading of each side moves is taken as moved by both. Among the equally short readings of
//!    a side, the one that keeps in place the neighbours the other side moved keys next to.
//! 2. The keys neither side moved form the frame; every other key is placed by the side that
//!    moved or added it: into the same gap between frame keys, and after the same neighbours,
//!    as that side had it. Keys both sides moved to different places keep ours.
//! 3. Texts merge per key: a change on one side is taken; different changes on both sides, or a
//!    change on one side of a piece the other removed, are left to the caller as a conflict.
//! 4. The result is checked against each side's order: for every pair of keys whose order one
//!    side changed, that side's order (unless it changed it only in passing: it moved a key past
//!    one the other side surely moved away); for pairs neither side changed, the base's. Two
//!    snapshots can be read as other moves than those made, and two sides' changes can
//!    contradict each other, so a pair the result cannot keep is possible; its keys are reported
//!    ([`Merged::lost`]) with the side whose place they did not get, so the caller can name that
//!    place. Nothing is lost silently.
//!
//! Cost: O(n log n) for the readings and the placing, plus O(p n) for the check of step 4 (p
//! keys placed, bounded by `CHECK_BUDGET`): a 100,000-line backlog with moves on both sides
//! merges in about a second (docs/benchmarks.md).
//!
//! Guarantee (tested by property tests in tests/cli/merges.rs): the result, restricted to the
//! frame and the keys one side placed, is in that side's order; each key either side kept is
//! in it once.

use std::collections::{HashMap, HashSet};

/// One piece of a sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub key: String,
    pub text: String,
}

impl Piece {
    pub fn new(key: impl Into<String>, text: impl Into<String>) -> Piece {
        Piece { key: key.into(), text: text.into() }
    }
}

/// A piece of the result: clean text, or the three versions when the sides disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    Clean(String),
    /// Both sides changed the piece differently, or one changed what the other removed
    /// (`None`: absent on that side).
    Conflict {
        base: Option<String>,
        ours: Option<String>,
        theirs: Option<String>,
    },
}

/// The merged sequence and what the merge had to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub pieces: Vec<(String, Text)>,
    /// Keys whose place on one side the result does not keep (ours won a key both moved, or
    /// the two sides' orders contradict each other), with that side; in result order.
    pub lost: Vec<Lost>,
}

/// A side of a merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Ours,
    Theirs,
}

/// A key whose place on `side` the result does not keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lost {
    pub key: String,
    pub side: Side,
    /// Both sides (may have) moved it; else the two orders only disagree around it.
    pub both: bool,
}

/// How many (key, key) pairs the check of step 4 looks at, at most: beyond that (two branches
/// that each reorder tens of thousands of items) every placed key is reported instead.
const CHECK_BUDGET: usize = 50_000_000;

/// Merge `ours` and `theirs` against `base`. Keys must be unique within each sequence.
pub fn merge(base: &[Piece], ours: &[Piece], theirs: &[Piece]) -> Merged {
    fn pos(s: &[Piece]) -> HashMap<&str, usize> {
        s.iter().enumerate().map(|(i, p)| (p.key.as_str(), i)).collect()
    }
    let (pb, po, pt) = (pos(base), pos(ours), pos(theirs));
    // Keys present in all three take part in move detection.
    let common = |side: &[Piece], other: &HashMap<&str, usize>| -> Vec<usize> {
        side.iter()
            .filter(|p| other.contains_key(p.key.as_str()))
            .filter_map(|p| pb.get(p.key.as_str()).copied())
            .collect()
    };
    let seq_o = common(ours, &pt);
    let seq_t = common(theirs, &po);
    // Keys one side may have moved (in some reading with the fewest moves) that the other may
    // have moved too are taken as moved by both; the frame is read without them.
    let (maybe_o, surely_o) = moved_readings(&seq_o);
    let (maybe_t, surely_t) = moved_readings(&seq_t);
    let both_maybe: HashSet<usize> = maybe_t.iter().copied().filter(|p| maybe_o.contains(p)).collect();
    let without = |seq: &[usize]| -> Vec<usize> { seq.iter().copied().filter(|p| !both_maybe.contains(p)).collect() };
    // Among equally short readings of a side, the one that keeps in place the neighbours the
    // other side moved keys next to (so that its moves keep their anchors).
    // The key before a moved one is its anchor (weight 2), the one after it a lesser one.
    let anchors = |side: &[Piece], moved: &HashSet<usize>| -> HashMap<usize, u64> {
        let mut out: HashMap<usize, u64> = HashMap::new();
        for (i, p) in side.iter().enumerate() {
            if pb.get(p.key.as_str()).is_some_and(|b| moved.contains(b)) {
                for (j, w) in [(i.wrapping_sub(1), 2), (i + 1, 1)] {
                    if let Some(b) = side.get(j).and_then(|q| pb.get(q.key.as_str())) {
                        *out.entry(*b).or_default() += w;
                    }
                }
            }
        }
        out
    };
    let stable_o = lis(&without(&seq_o), &anchors(theirs, &maybe_t));
    let stable_t = lis(&without(&seq_t), &anchors(ours, &maybe_o));
    let certain_o: HashSet<usize> = seq_o.iter().copied().filter(|p| !maybe_o.contains(p)).collect();
    let certain_t: HashSet<usize> = seq_t.iter().copied().filter(|p| !maybe_t.contains(p)).collect();
    let frame: HashSet<usize> = stable_o.intersection(&stable_t).copied().collect();
    let is_frame = |key: &str| pb.get(key).is_some_and(|p| frame.contains(p));

    // Who places each surviving key.
    #[derive(Clone, Copy, PartialEq)]
    enum By {
        Ours,
        Theirs,
    }
    let mut placer: HashMap<&str, By> = HashMap::new();
    let mut both_moved = Vec::new();
    fn pred(s: &[Piece], i: usize) -> Option<&str> {
        i.checked_sub(1).map(|j| s[j].key.as_str())
    }
    for (i, p) in ours.iter().enumerate() {
        let k = p.key.as_str();
        if is_frame(k) {
            continue;
        }
        match (pb.get(k), pt.get(k)) {
            (Some(&b), Some(&t)) => {
                let by_o = !stable_o.contains(&b);
                let by_t = !stable_t.contains(&b);
                if by_o && by_t && pred(ours, i) != pred(theirs, t) {
                    both_moved.push(k.to_string());
                }
                placer.insert(k, if by_o { By::Ours } else { By::Theirs });
            }
            // Removed by theirs: survives only as a conflict (decided below).
            (Some(_), None) => {
                placer.insert(k, By::Ours);
            }
            // New here (or new on both sides: ours places it).
            (None, _) => {
                placer.insert(k, By::Ours);
            }
        }
    }
    for p in theirs {
        let k = p.key.as_str();
        if !is_frame(k) && !po.contains_key(k) {
            placer.insert(k, By::Theirs);
        }
    }

    // Texts, and which keys survive.
    let text_of = |s: &[Piece], m: &HashMap<&str, usize>, k: &str| m.get(k).map(|&i| s[i].text.clone());
    let mut texts: HashMap<&str, Text> = HashMap::new();
    for k in placer.keys().copied().chain(ours.iter().map(|p| p.key.as_str()).filter(|k| is_frame(k))) {
        let (b, o, t) = (text_of(base, &pb, k), text_of(ours, &po, k), text_of(theirs, &pt, k));
        let merged = match (&b, &o, &t) {
            (_, Some(o), Some(t)) if o == t => Some(Text::Clean(o.clone())),
            (Some(b), Some(o), Some(t)) if b == o => Some(Text::Clean(t.clone())),
            (Some(b), Some(o), Some(t)) if b == t => Some(Text::Clean(o.clone())),
            (_, Some(_), Some(_)) => Some(Text::Conflict { base: b.clone(), ours: o.clone(), theirs: t.clone() }),
            // One side removed it: gone, unless the other changed it.
            (Some(b), Some(x), None) | (Some(b), None, Some(x)) if b == x => None,
            (Some(_), _, _) => Some(Text::Conflict { base: b.clone(), ours: o.clone(), theirs: t.clone() }),
            (None, Some(x), None) | (None, None, Some(x)) => Some(Text::Clean(x.clone())),
            (None, None, None) => None,
        };
        if let Some(m) = merged {
            texts.insert(k, m);
        }
    }

    // The frame in base order, and each placed key's gap (index of the frame key before it
    // in the placing side, 0 = before the first).
    let frame_keys: Vec<&str> = base.iter().map(|p| p.key.as_str()).filter(|k| is_frame(k)).collect();
    let frame_index: HashMap<&str, usize> = frame_keys.iter().enumerate().map(|(i, k)| (*k, i + 1)).collect();
    let mut gaps: Vec<Vec<&str>> = vec![Vec::new(); frame_keys.len() + 1];
    let mut gap = 0;
    for p in ours {
        let k = p.key.as_str();
        if let Some(&f) = frame_index.get(k) {
            gap = f;
        } else if placer.get(k) == Some(&By::Ours) && texts.contains_key(k) {
            gaps[gap].push(k);
        }
    }
    // Theirs' keys go into their gap after the nearest earlier neighbour (in theirs) that ours
    // placed there, after what theirs placed before them there, and after what only ours added
    // at that point. One pass over theirs; each gap is then interleaved once.
    let new_in_ours = |k: &str| !pb.contains_key(k) && !pt.contains_key(k);
    let gap_index: HashMap<&str, usize> =
        gaps.iter().flat_map(|l| l.iter().enumerate().map(|(i, k)| (*k, i))).collect();
    let mut inserts: Vec<Vec<(usize, &str)>> = vec![Vec::new(); gaps.len()];
    let mut gap = 0;
    let mut anchor = 0; // insert before gaps[gap][anchor]
    for p in theirs {
        let k = p.key.as_str();
        if let Some(&f) = frame_index.get(k) {
            gap = f;
            anchor = 0;
            continue;
        }
        if let Some(&x) = gap_index.get(k)
            && gaps[gap].get(x) == Some(&k)
        {
            anchor = anchor.max(x + 1);
            continue;
        }
        if placer.get(k) != Some(&By::Theirs) || !texts.contains_key(k) {
            continue;
        }
        while anchor < gaps[gap].len() && new_in_ours(gaps[gap][anchor]) {
            anchor += 1;
        }
        inserts[gap].push((anchor, k));
    }
    // Interleave: where both sides order a pair of keys and one changed it from the base,
    // that order; the base's where neither did; the anchor above where a key is new.
    let before = |m: &HashMap<&str, usize>, x: &str, y: &str| Some(m.get(x)? < m.get(y)?);
    let first = |x: &str, y: &str| -> Option<bool> {
        let b = before(&pb, x, y)?;
        match (before(&po, x, y), before(&pt, x, y)) {
            (Some(o), _) if o != b => Some(o),
            (_, Some(t)) if t != b => Some(t),
            _ => Some(b),
        }
    };
    for (list, adds) in gaps.iter_mut().zip(inserts) {
        if adds.is_empty() {
            continue;
        }
        let mut out = Vec::with_capacity(list.len() + adds.len());
        let (mut i, mut adds) = (0, adds.into_iter().peekable());
        while let Some(&(at, x)) = adds.peek() {
            let Some(&y) = list.get(i) else { break };
            let x_first = first(x, y).unwrap_or(at <= i);
            if x_first {
                out.push(x);
                adds.next();
            } else {
                out.push(y);
                i += 1;
            }
        }
        out.extend_from_slice(&list[i..]);
        out.extend(adds.map(|(_, a)| a));
        *list = out;
    }

    let mut pieces = Vec::with_capacity(ours.len().max(theirs.len()));
    for (g, list) in gaps.iter().enumerate() {
        if g > 0 {
            let k = frame_keys[g - 1];
            if let Some(t) = texts.remove(k) {
                pieces.push((k.to_string(), t));
            }
        }
        for &k in list {
            if let Some(t) = texts.remove(k) {
                pieces.push((k.to_string(), t));
            }
        }
    }
    let side = |by: By| if by == By::Ours { Side::Ours } else { Side::Theirs };
    let other = |by: By| if by == By::Ours { Side::Theirs } else { Side::Ours };

    // Step 4: the pairs the result breaks.
    let keys: Vec<&str> = pieces.iter().map(|(k, _)| k.as_str()).collect();
    let at = |m: &HashMap<&str, usize>| -> Vec<Option<usize>> { keys.iter().map(|k| m.get(k).copied()).collect() };
    let (rb, ro, rt) = (at(&pb), at(&po), at(&pt));
    let placed_keys: Vec<usize> = (0..keys.len()).filter(|&i| placer.contains_key(keys[i])).collect();
    let mut lost: HashMap<usize, Side> = HashMap::new();
    let index: HashMap<&str, usize> = keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let both_set: HashSet<&str> = both_moved.iter().map(String::as_str).collect();
    for k in &both_moved {
        if let Some(&i) = index.get(k.as_str()) {
            lost.insert(i, Side::Theirs);
        }
    }
    if placed_keys.len().saturating_mul(keys.len()) > CHECK_BUDGET {
        for &i in &placed_keys {
            let by = placer[keys[i]];
            lost.entry(i).or_insert(other(by));
        }
    } else {
        // Two keys each surely moved, one by each side.
        let surely_apart = |x: usize, y: usize| {
            let (Some(bx), Some(by)) = (rb[x], rb[y]) else { return false };
            (surely_o.contains(&bx) && surely_t.contains(&by)) || (surely_t.contains(&bx) && surely_o.contains(&by))
        };
        // Whether x comes before y on a side (None: a side lacks one of them).
        let before = |pos: &[Option<usize>], x: usize, y: usize| Some(pos[x]? < pos[y]?);
        for &m in &placed_keys {
            let by = placer[keys[m]];
            #[allow(clippy::needless_range_loop)] // y indexes four parallel arrays
            for y in 0..keys.len() {
                // A pair with a key both sides moved is that key's conflict, already named.
                if y == m || both_set.contains(keys[m]) || both_set.contains(keys[y]) {
                    continue;
                }
                let (b, o, t) = (before(&rb, m, y), before(&ro, m, y), before(&rt, m, y));
                let changed = |s: Option<bool>| matches!((b, s), (Some(b), Some(s)) if b != s);
                // What the pair's order should be, and whose it is.
                let expected = match (b, o, t) {
                    // (Both changed it: then both agree, a pair has two orders.)
                    _ if changed(o) => o.map(|o| (o, Side::Ours, true)),
                    _ if changed(t) => t.map(|t| (t, Side::Theirs, true)),
                    // Neither side changed it: the base's, unless each key was surely moved, one by
                    // each side (their order is then what their two places make it).
                    (Some(_), _, _) if surely_apart(m, y) => None,
                    (Some(b), _, _) => Some((b, other(by), false)),
                    // A new key: the order of the side that has both.
                    (None, Some(o), None) => Some((o, Side::Ours, true)),
                    (None, None, Some(t)) => Some((t, Side::Theirs, true)),
                    _ => None,
                };
                let Some((want, whose, by_a_side)) = expected else { continue };
                // A pair one side changed only in passing: it moved one key past the other, which
                // the other side surely moved elsewhere and this side surely did not.
                let (kept, other_moved) =
                    if whose == Side::Ours { (&certain_o, &surely_t) } else { (&certain_t, &surely_o) };
                let passing = |i: usize| rb[i].is_some_and(|b| kept.contains(&b) && other_moved.contains(&b));
                if (m < y) != want && !(by_a_side && (passing(m) || passing(y))) {
                    // Name the keys of the pair that side placed (both when it placed neither);
                    // for a pair no side changed, each placed key against its own placer.
                    let placed_by = |i: usize| placer.get(keys[i]).map(|&p| side(p));
                    if by_a_side {
                        let mine: Vec<usize> = [m, y].into_iter().filter(|&i| placed_by(i) == Some(whose)).collect();
                        for i in if mine.is_empty() { vec![m, y] } else { mine } {
                            lost.entry(i).or_insert(whose);
                        }
                    } else {
                        for i in [m, y] {
                            if let Some(p) = placed_by(i) {
                                lost.entry(i).or_insert(p);
                            }
                        }
                    }
                }
            }
        }
    }
    let mut lost: Vec<(usize, Side)> = lost.into_iter().collect();
    lost.sort_by_key(|(i, _)| *i);
    let lost = lost
        .into_iter()
        .map(|(i, side)| Lost { key: keys[i].to_string(), side, both: both_set.contains(keys[i]) })
        .collect();
    Merged { pieces, lost }
}

/// The base positions in a longest increasing subsequence of `seq` (distinct positions),
/// among the longest the one that keeps the most weight of `prefer`.
fn lis(seq: &[usize], prefer: &HashMap<usize, u64>) -> HashSet<usize> {
    // Weighted longest increasing subsequence over base positions with a Fenwick tree of prefix
    // maxima: length counts first, each preferred position kept breaks ties.
    let n = seq.len();
    if n == 0 {
        return HashSet::new();
    }
    // One more position outweighs every preference together.
    let unit = prefer.values().sum::<u64>() + 1;
    let size = seq.iter().max().map_or(0, |m| m + 1);
    let mut tree: Vec<(u64, usize)> = vec![(0, usize::MAX); size + 1];
    let mut best: Vec<(u64, usize)> = Vec::with_capacity(n); // (score, previous index in seq)
    for (i, &p) in seq.iter().enumerate() {
        // Max over positions < p.
        let mut q = p;
        let mut top = (0u64, usize::MAX);
        while q > 0 {
            if tree[q].0 > top.0 {
                top = tree[q];
            }
            q &= q - 1;
        }
        let score = top.0 + unit + prefer.get(&p).copied().unwrap_or(0);
        best.push((score, top.1));
        let mut q = p + 1;
        while q <= size {
            if score > tree[q].0 {
                tree[q] = (score, i);
            }
            q += q & q.wrapping_neg();
        }
    }
    let mut at = (0..n).max_by_key(|&i| (best[i].0, std::cmp::Reverse(i))).unwrap_or(0);
    let mut out = HashSet::new();
    loop {
        out.insert(seq[at]);
        match best[at].1 {
            usize::MAX => break,
            prev => at = prev,
        }
    }
    out
}

/// The positions of `seq` that some longest increasing subsequence leaves out (the keys a
/// reading of the side with the fewest moves may have moved), and those every one leaves out
/// (the keys it surely moved). A position is in every longest subsequence when it is in one
/// and no other position in one has its length-so-far.
fn moved_readings(seq: &[usize]) -> (HashSet<usize>, HashSet<usize>) {
    let n = seq.len();
    if n == 0 {
        return (HashSet::new(), HashSet::new());
    }
    let size = seq.iter().max().map_or(0, |m| m + 1);
    // Length of the longest increasing run ending at each index (Fenwick prefix maxima).
    let ending = |seq: &mut dyn Iterator<Item = usize>| -> Vec<u32> {
        let mut tree = vec![0u32; size + 1];
        let mut out = Vec::with_capacity(n);
        for p in seq {
            let (mut q, mut top) = (p, 0);
            while q > 0 {
                top = top.max(tree[q]);
                q &= q - 1;
            }
            let len = top + 1;
            out.push(len);
            let mut q = p + 1;
            while q <= size {
                tree[q] = tree[q].max(len);
                q += q & q.wrapping_neg();
            }
        }
        out
    };
    let f = ending(&mut seq.iter().copied());
    let mut g = ending(&mut seq.iter().rev().map(|&p| size - 1 - p));
    g.reverse();
    let longest = f.iter().copied().max().unwrap_or(0);
    let on_some: Vec<bool> = (0..n).map(|i| f[i] + g[i] - 1 == longest).collect();
    let mut count = vec![0u32; longest as usize + 1];
    for i in (0..n).filter(|&i| on_some[i]) {
        count[f[i] as usize] += 1;
    }
    let maybe = (0..n).filter(|&i| !(on_some[i] && count[f[i] as usize] == 1)).map(|i| seq[i]).collect();
    let surely = (0..n).filter(|&i| !on_some[i]).map(|i| seq[i]).collect();
    (maybe, surely)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(keys: &str) -> Vec<Piece> {
        keys.split_whitespace().map(|k| Piece::new(k, k)).collect()
    }

    fn order(m: &Merged) -> String {
        m.pieces.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn keeps_a_move_from_each_side() {
        let m = merge(&seq("1 2 3 4 5 6"), &seq("6 1 2 3 4 5"), &seq("1 3 4 5 6 2"));
        assert_eq!(order(&m), "6 1 3 4 5 2");
        assert!(m.lost.is_empty());
    }

    #[test]
    fn one_side_unchanged_gives_the_other() {
        let m = merge(&seq("1 2 3"), &seq("1 2 3"), &seq("3 1 2"));
        assert_eq!(order(&m), "3 1 2");
        let m = merge(&seq("1 2 3"), &seq("2 3 1 4"), &seq("1 2 3"));
        assert_eq!(order(&m), "2 3 1 4");
    }

    #[test]
    fn additions_and_removals_from_both() {
        let m = merge(&seq("1 2 3"), &seq("1 3 4"), &seq("0 1 2 3 5"));
        assert_eq!(order(&m), "0 1 3 4 5");
    }

    #[test]
    fn both_moving_one_key_keeps_ours_and_says_so() {
        let m = merge(&seq("1 2 3 4"), &seq("4 1 2 3"), &seq("1 4 2 3"));
        assert_eq!(order(&m), "4 1 2 3");
        assert_eq!(m.lost, vec![Lost { key: "4".into(), side: Side::Theirs, both: true }]);
        // The same move on both sides is no conflict.
        let m = merge(&seq("1 2 3 4"), &seq("4 1 2 3"), &seq("4 1 2 3"));
        assert!(m.lost.is_empty());
    }

    #[test]
    fn contradicting_orders_are_reported() {
        // Ours puts 2 before 1, theirs 3 before 2, and neither changed 1 before 3: each side
        // may have moved 2, so ours' place is kept and theirs' named.
        let m = merge(&seq("1 2 3"), &seq("2 1 3"), &seq("1 3 2"));
        assert_eq!(order(&m), "2 1 3");
        assert_eq!(m.lost[0], Lost { key: "2".into(), side: Side::Theirs, both: true });
        // Theirs moved 3 to the bottom and 1 below 2; ours moved 3 to the top: the pairs cycle.
        let m = merge(&seq("1 2 3 4"), &seq("3 1 2 4"), &seq("2 1 4 3"));
        assert!(!m.lost.is_empty(), "{m:?}");
    }

    #[test]
    fn texts_merge_per_key() {
        let base = vec![Piece::new("a", "1"), Piece::new("b", "1")];
        let ours = vec![Piece::new("a", "2"), Piece::new("b", "1")];
        let theirs = vec![Piece::new("a", "1"), Piece::new("b", "3")];
        let m = merge(&base, &ours, &theirs);
        assert_eq!(m.pieces, vec![("a".into(), Text::Clean("2".into())), ("b".into(), Text::Clean("3".into()))]);
        let theirs = vec![Piece::new("a", "9")];
        let m = merge(&base, &ours, &theirs);
        assert!(matches!(m.pieces[0].1, Text::Conflict { .. }));
        assert_eq!(m.pieces.len(), 1, "b was removed by theirs and not changed by ours");
    }

    #[test]
    fn both_appending_puts_theirs_after_ours() {
        let m = merge(&seq("a b"), &seq("a b x"), &seq("a b y"));
        assert_eq!(order(&m), "a b x y");
    }
}
