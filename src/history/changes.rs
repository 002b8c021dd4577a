//! The semantic change model: what changed between two snapshots, per item, keyed by ID.
//!
//! Items are matched by ID, never by path, so a renamed file is the same item. Backlog and
//! roadmap moves are found with a longest increasing subsequence: when one story goes to the
//! top, only that story "moved"; the ones it jumped over merely shifted and are not reported.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::history::snapshot::{AcState, BacklogEdit, FastHash, ItemState, Snapshot};
use crate::model::id::ItemId;

/// A place on the roadmap: a horizon and a 1-based position within it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub horizon: String,
    pub position: usize,
}

/// One change to one item. Its serde form (kept in the history cache) nests `what` under
/// the name of its kind, which reads back without buffering; [`Change::to_json`] is the
/// flat form the commands print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub id: String,
    /// The item's title after the change (before it, for a deletion).
    pub title: String,
    /// The item's file, relative to `product/` (empty when the ID names no item).
    pub path: String,
    pub what: What,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum What {
    /// The item appeared, with these fields and criteria.
    Created {
        kind: String,
        fields: Vec<(String, String)>,
        criteria: Vec<AcState>,
    },
    /// The item's file went away.
    Deleted {
        kind: String,
    },
    /// The item's file moved.
    Renamed {
        from: String,
        to: String,
    },
    /// The item's ID changed (`pm renumber`); `Change::id` is the new one. When the old ID
    /// lives on in another file (two files carried it), `file` is the renumbered one's old path:
    /// only the changes at that path were this item's.
    Renumbered {
        from: String,
        to: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<String>,
    },
    /// The body's prose (description, notes) was edited.
    Described {},
    /// A front-matter field changed (`None`: absent or empty).
    Field {
        field: String,
        from: Option<String>,
        to: Option<String>,
    },
    AcAdded {
        ac: String,
        text: String,
        checked: bool,
    },
    AcRemoved {
        ac: String,
        text: String,
    },
    AcEdited {
        ac: String,
        from: String,
        to: String,
    },
    AcChecked {
        ac: String,
        text: String,
    },
    AcUnchecked {
        ac: String,
        text: String,
    },
    /// A backlog move; `None` means not in the backlog.
    Rank {
        from: Option<usize>,
        to: Option<usize>,
    },
    /// A roadmap move; `None` means not on the roadmap.
    Roadmap {
        from: Option<Place>,
        to: Option<Place>,
    },
}

impl Change {
    /// The change as `pm diff` and `pm history` print it in JSON: `id`, `title`, `path`, the
    /// kind of change as `type` (`field`, `rank`, `ac_checked`, ...), then that kind's fields.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        let mut m = serde_json::Map::new();
        m.insert("id".into(), Value::from(self.id.as_str()));
        m.insert("title".into(), Value::from(self.title.as_str()));
        m.insert("path".into(), Value::from(self.path.as_str()));
        if let Ok(Value::Object(what)) = serde_json::to_value(&self.what)
            && let Some((kind, Value::Object(fields))) = what.into_iter().next()
        {
            m.insert("type".into(), Value::String(kind));
            m.extend(fields);
        }
        Value::Object(m)
    }

    /// The change with its paths relative to the repository root, not to `product/` (which is
    /// `dir` inside the repository): how every output format shows them.
    pub fn rooted(&self, dir: &str) -> Change {
        let mut c = self.clone();
        if dir.is_empty() {
            return c;
        }
        let root = |p: &mut String| {
            if !p.is_empty() {
                *p = format!("{dir}/{p}");
            }
        };
        root(&mut c.path);
        match &mut c.what {
            What::Renamed { from, to } => {
                root(from);
                root(to);
            }
            What::Renumbered { file: Some(f), .. } => root(f),
            _ => {}
        }
        c
    }

    /// The name `--field` selects this change by: a field name, or `created`, `deleted`,
    /// `path`, `criteria`, `rank`, `roadmap`.
    pub fn field(&self) -> &str {
        match &self.what {
            What::Created { .. } => "created",
            What::Deleted { .. } => "deleted",
            What::Renamed { .. } => "path",
            What::Renumbered { .. } => "id",
            What::Described {} => "description",
            What::Field { field, .. } => field,
            What::AcAdded { .. }
            | What::AcRemoved { .. }
            | What::AcEdited { .. }
            | What::AcChecked { .. }
            | What::AcUnchecked { .. } => "criteria",
            What::Rank { .. } => "rank",
            What::Roadmap { .. } => "roadmap",
        }
    }

    /// Whether this is part of the priority history: rank moves, priority changes, roadmap.
    /// A change of priority: a move in the backlog or on the roadmap, `priority`, or an input
    /// of the scoring model (`score_inputs`), which changes what the score suggests.
    pub fn is_priority(&self, score_inputs: &[String]) -> bool {
        let field = self.field();
        matches!(field, "rank" | "roadmap" | "priority") || score_inputs.iter().any(|f| f == field)
    }

    /// The change as a sentence without the ID: "moved from 7th to 2nd".
    pub fn sentence(&self) -> String {
        match &self.what {
            What::Created { .. } => format!("created: {}", self.title),
            What::Deleted { .. } => format!("deleted (was: {})", self.title),
            What::Renamed { from, to } => format!("file renamed: {from} -> {to}"),
            What::Renumbered { from, .. } => format!("renumbered from {from}"),
            What::Described {} => "description edited".into(),
            What::Field { field, from: None, to: Some(to) } => format!("{field} set to {to}"),
            What::Field { field, from: Some(from), to: None } => format!("{field} removed (was {from})"),
            What::Field { field, from, to } => {
                format!("{field}: {} -> {}", from.as_deref().unwrap_or(""), to.as_deref().unwrap_or(""))
            }
            What::AcAdded { ac, text, checked } => {
                format!("gained {ac}{}: {text}", if *checked { " (checked)" } else { "" })
            }
            What::AcRemoved { ac, text } => format!("lost {ac}: {text}"),
            What::AcEdited { ac, from, to } => format!("{ac} reworded: \"{from}\" -> \"{to}\""),
            What::AcChecked { ac, .. } => format!("{ac} checked"),
            What::AcUnchecked { ac, .. } => format!("{ac} unchecked"),
            What::Rank { from: Some(f), to: Some(t) } => format!("moved from {} to {}", ordinal(*f), ordinal(*t)),
            What::Rank { from: None, to: Some(t) } => format!("entered the backlog at {}", ordinal(*t)),
            What::Rank { from: Some(f), to: None } => format!("left the backlog (was {})", ordinal(*f)),
            What::Rank { from: None, to: None } => "backlog unchanged".into(),
            What::Roadmap { from: Some(f), to: Some(t) } if f.horizon == t.horizon => {
                format!("moved from {} to {} in {}", ordinal(f.position), ordinal(t.position), t.horizon)
            }
            What::Roadmap { from: Some(f), to: Some(t) } => {
                format!("moved from {} to {} ({} there)", f.horizon, t.horizon, ordinal(t.position))
            }
            What::Roadmap { from: None, to: Some(t) } => {
                format!("added to the roadmap under {} ({})", t.horizon, ordinal(t.position))
            }
            What::Roadmap { from: Some(f), to: None } => {
                format!("left the roadmap (was {}, {})", f.horizon, ordinal(f.position))
            }
            What::Roadmap { from: None, to: None } => "roadmap unchanged".into(),
        }
    }
}

impl Change {
    /// The sentence, saying how an item that left the backlog or roadmap left it when the same
    /// step changed its status (`left the backlog as done (was 3rd)`).
    pub fn sentence_among(&self, step: &[Change]) -> String {
        let status = || {
            step.iter().find_map(|c| match &c.what {
                What::Field { field, to: Some(to), .. } if c.id == self.id && field == "status" => Some(to.as_str()),
                _ => None,
            })
        };
        // The step is searched only for an item that left a list: asked of every change, the
        // search made `pm diff HEAD~1 HEAD` quadratic in the number of changes (6.1 s at
        // 100,000 stories, 78% of it here; docs/benchmarks.md).
        let left = matches!(self.what, What::Rank { to: None, .. } | What::Roadmap { to: None, .. });
        match (&self.what, if left { status() } else { None }) {
            (What::Rank { from: Some(f), to: None }, Some(s)) => {
                format!("left the backlog as {s} (was {})", ordinal(*f))
            }
            (What::Roadmap { from: Some(f), to: None }, Some(s)) => {
                format!("left the roadmap as {s} (was {}, {})", f.horizon, ordinal(f.position))
            }
            _ => self.sentence(),
        }
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.id, self.sentence())
    }
}

/// `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st`.
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn change(state: &ItemState, what: What) -> Change {
    Change { id: state.id.to_string(), title: state.title.clone(), path: state.path.clone(), what }
}

/// Changes of the files of an ID two or more files carry, file by file: a file on one side only
/// is an item created or deleted.
pub fn compare_files(old: &[&ItemState], new: &[&ItemState], out: &mut Vec<Change>) {
    let paths: BTreeSet<&str> = old.iter().chain(new).map(|s| s.path.as_str()).collect();
    for path in paths {
        let (o, n) = (old.iter().find(|s| s.path == path).copied(), new.iter().find(|s| s.path == path).copied());
        compare_item(o, n, out);
    }
}

/// Changes of one item between two states (either may be absent).
pub fn compare_item(old: Option<&ItemState>, new: Option<&ItemState>, out: &mut Vec<Change>) {
    match (old, new) {
        (None, None) => {}
        (None, Some(n)) => out.push(change(
            n,
            What::Created { kind: n.kind.to_string(), fields: n.fields.clone(), criteria: n.criteria.clone() },
        )),
        (Some(o), None) => out.push(change(o, What::Deleted { kind: o.kind.to_string() })),
        (Some(o), Some(n)) => {
            if o == n {
                return;
            }
            if o.path != n.path {
                out.push(change(n, What::Renamed { from: o.path.clone(), to: n.path.clone() }));
            }
            let mut names: Vec<&str> = o.fields.iter().map(|(k, _)| k.as_str()).collect();
            for (k, _) in &n.fields {
                if !names.contains(&k.as_str()) {
                    names.push(k);
                }
            }
            for name in names {
                let (from, to) = (o.field(name), n.field(name));
                if from != to {
                    out.push(change(
                        n,
                        What::Field { field: name.to_string(), from: from.map(Into::into), to: to.map(Into::into) },
                    ));
                }
            }
            compare_criteria(n, &o.criteria, &n.criteria, out);
            if o.body != n.body {
                out.push(change(n, What::Described {}));
            }
        }
    }
}

fn compare_criteria(n: &ItemState, old: &[AcState], new: &[AcState], out: &mut Vec<Change>) {
    // Numbered criteria match by number; unnumbered ones by text.
    let key = |c: &AcState| if c.ac == "AC-?" { format!("?{}", c.text) } else { c.ac.clone() };
    let old_by: HashMap<String, &AcState> = old.iter().map(|c| (key(c), c)).collect();
    let new_keys: BTreeSet<String> = new.iter().map(key).collect();
    for c in old {
        if !new_keys.contains(&key(c)) {
            out.push(change(n, What::AcRemoved { ac: c.ac.clone(), text: c.text.clone() }));
        }
    }
    for c in new {
        let Some(o) = old_by.get(&key(c)) else {
            out.push(change(n, What::AcAdded { ac: c.ac.clone(), text: c.text.clone(), checked: c.checked }));
            continue;
        };
        if o.text != c.text {
            out.push(change(n, What::AcEdited { ac: c.ac.clone(), from: o.text.clone(), to: c.text.clone() }));
        }
        if o.checked != c.checked {
            let what = if c.checked {
                What::AcChecked { ac: c.ac.clone(), text: c.text.clone() }
            } else {
                What::AcUnchecked { ac: c.ac.clone(), text: c.text.clone() }
            };
            out.push(change(n, what));
        }
    }
}

/// Which IDs moved between two orders: everything outside a longest run of IDs that kept
/// their relative order. Returns `(id, old 1-based position, new 1-based position)`.
pub fn moves(old: &[String], new: &[String]) -> Vec<(String, Option<usize>, Option<usize>)> {
    // IDs are unique in each list, so a common head and tail kept their places and belong to
    // every longest increasing run: only the middle needs the work (most commits move a few
    // lines of a long backlog). Positions found there are shifted back by the head's length.
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let tail = old[head..].iter().rev().zip(new[head..].iter().rev()).take_while(|(a, b)| a == b).count();
    let mut out = middle_moves(&old[head..old.len() - tail], &new[head..new.len() - tail]);
    for (_, from, to) in &mut out {
        *from = from.map(|p| p + head);
        *to = to.map(|p| p + head);
    }
    out
}

fn middle_moves(old: &[String], new: &[String]) -> Vec<(String, Option<usize>, Option<usize>)> {
    let old_pos: HashMap<&str, usize, FastHash> = old.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let new_pos: HashMap<&str, usize, FastHash> = new.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let common: Vec<(usize, usize)> =
        new.iter().enumerate().filter_map(|(ni, id)| old_pos.get(id.as_str()).map(|&oi| (ni, oi))).collect();
    let fixed: Vec<bool> = common.iter().map(|&(ni, oi)| ni == oi).collect();
    let stable = longest_increasing(&common.iter().map(|&(_, oi)| oi).collect::<Vec<_>>(), &fixed);
    let stable: BTreeSet<usize> = stable.into_iter().map(|k| common[k].0).collect();
    let mut out = Vec::new();
    for (ni, id) in new.iter().enumerate() {
        match old_pos.get(id.as_str()) {
            None => out.push((id.clone(), None, Some(ni + 1))),
            Some(&oi) if !stable.contains(&ni) && oi != ni => out.push((id.clone(), Some(oi + 1), Some(ni + 1))),
            _ => {}
        }
    }
    for (oi, id) in old.iter().enumerate() {
        if !new_pos.contains_key(id.as_str()) {
            out.push((id.clone(), Some(oi + 1), None));
        }
    }
    out
}

/// How to turn one order into another by taking out and putting back as few IDs as possible:
/// the old positions (0-based) to remove, and the new positions with the IDs to insert there,
/// both ascending. What stays is a longest run that kept its order, so the edit is as small as
/// the reordering, whatever distance a story moved.
pub fn reorder(old: &[String], new: &[String]) -> (Vec<usize>, Vec<(usize, String)>) {
    // As in `moves`: a common head and tail stay, only the middle needs the work.
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let tail = old[head..].iter().rev().zip(new[head..].iter().rev()).take_while(|(a, b)| a == b).count();
    let (removed, inserted) = reorder_middle(&old[head..old.len() - tail], &new[head..new.len() - tail]);
    (removed.into_iter().map(|p| p + head).collect(), inserted.into_iter().map(|(p, id)| (p + head, id)).collect())
}

fn reorder_middle(old: &[String], new: &[String]) -> (Vec<usize>, Vec<(usize, String)>) {
    let old_pos: HashMap<&str, usize, FastHash> = old.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let common: Vec<(usize, usize)> =
        new.iter().enumerate().filter_map(|(ni, id)| old_pos.get(id.as_str()).map(|&oi| (ni, oi))).collect();
    let fixed: Vec<bool> = common.iter().map(|&(ni, oi)| ni == oi).collect();
    let run = longest_increasing(&common.iter().map(|&(_, oi)| oi).collect::<Vec<_>>(), &fixed);
    let mut stays_old = vec![false; old.len()];
    let mut stays_new = vec![false; new.len()];
    for k in run {
        let (ni, oi) = common[k];
        stays_new[ni] = true;
        stays_old[oi] = true;
    }
    let removed = (0..old.len()).filter(|&i| !stays_old[i]).collect();
    let inserted = (0..new.len()).filter(|&j| !stays_new[j]).map(|j| (j, new[j].clone())).collect();
    (removed, inserted)
}

/// Indices of one longest strictly increasing subsequence of `seq` (distinct values), choosing
/// among the longest the one that holds the
/// most places where `fixed` is true: a story whose rank did not change is the one to call
/// unmoved (a backlog turned upside down moved every story but its middle one). A Fenwick tree
/// over the values gives, for each element, the best run ending below it: O(n log n).
fn longest_increasing(seq: &[usize], fixed: &[bool]) -> Vec<usize> {
    // Values ranked 1..=n so the tree is as large as the sequence.
    let mut sorted: Vec<usize> = seq.to_vec();
    sorted.sort_unstable();
    let rank = |v: usize| sorted.partition_point(|&x| x < v) + 1;
    // tree[r]: the best (length, fixed places, index + 1) of a run ending at a value ranked r
    // or below, for the ranks this node covers.
    let mut tree: Vec<(usize, usize, usize)> = vec![(0, 0, 0); seq.len() + 1];
    let mut prev: Vec<Option<usize>> = vec![None; seq.len()];
    let mut best = (0, 0, 0);
    for (i, &v) in seq.iter().enumerate() {
        let r = rank(v);
        let mut below = (0, 0, 0);
        let mut k = r - 1;
        while k > 0 {
            below = below.max(tree[k]);
            k &= k - 1;
        }
        prev[i] = below.2.checked_sub(1);
        let here = (below.0 + 1, below.1 + usize::from(fixed[i]), i + 1);
        best = best.max(here);
        let mut k = r;
        while k < tree.len() {
            tree[k] = tree[k].max(here);
            k += k & k.wrapping_neg();
        }
    }
    let mut out = Vec::new();
    let mut cur = best.2.checked_sub(1);
    while let Some(i) = cur {
        out.push(i);
        cur = prev[i];
    }
    out.reverse();
    out
}

/// The item a list line names, for titles and paths of list changes.
fn named<'a>(id: &str, old: &'a Snapshot, new: &'a Snapshot) -> Option<&'a ItemState> {
    new.get(id).or_else(|| old.get(id)).map(|s| s.as_ref())
}

fn list_change(id: &str, old: &Snapshot, new: &Snapshot, what: What) -> Change {
    match named(id, old, new) {
        Some(s) => change(s, what),
        None => Change { id: id.to_string(), title: String::new(), path: String::new(), what },
    }
}

/// Backlog moves between two snapshots.
pub fn compare_backlog(old: &Snapshot, new: &Snapshot, out: &mut Vec<Change>) {
    let edit = BacklogEdit { head: 0, old: old.backlog.ids.clone(), new_len: new.backlog.len() };
    compare_backlog_edit(&edit, old, new, out);
}

/// Backlog moves made by an edit of the backlog that led to `new`'s.
pub fn compare_backlog_edit(edit: &BacklogEdit, old: &Snapshot, new: &Snapshot, out: &mut Vec<Change>) {
    let now = &new.backlog.ids[edit.head..edit.head + edit.new_len];
    for (id, from, to) in moves(&edit.old, now) {
        let (from, to) = (from.map(|p| p + edit.head), to.map(|p| p + edit.head));
        out.push(list_change(&id, old, new, What::Rank { from, to }));
    }
}

/// Roadmap moves: horizon changes, and moves within a horizon.
pub fn compare_roadmap(old: &Snapshot, new: &Snapshot, out: &mut Vec<Change>) {
    if old.roadmap == new.roadmap {
        return;
    }
    let (old_at, new_at) = (places(old), places(new));
    let place = |s: &Snapshot, at: &HashMap<&str, (usize, usize), FastHash>, id: &str| {
        at.get(id).map(|&(h, p)| Place { horizon: s.roadmap[h].0.clone(), position: p + 1 })
    };
    let mut ids: Vec<&String> = new.roadmap.iter().flat_map(|(_, ids)| ids).collect();
    ids.extend(old.roadmap.iter().flat_map(|(_, ids)| ids).filter(|id| !new_at.contains_key(id.as_str())));
    // Within each horizon, only the epics that broke the order of those that stayed moved.
    let mut moved_within: BTreeSet<String> = BTreeSet::new();
    for (h, new_ids) in &new.roadmap {
        let old_ids: &[String] = old.roadmap.iter().find(|(x, _)| x == h).map_or(&[], |(_, ids)| ids);
        let in_h = |at: &HashMap<&str, (usize, usize), FastHash>, s: &Snapshot, id: &str| {
            at.get(id).is_some_and(|&(k, _)| s.roadmap[k].0 == *h)
        };
        let stay: Vec<String> = old_ids.iter().filter(|id| in_h(&new_at, new, id)).cloned().collect();
        let stay_new: Vec<String> = new_ids.iter().filter(|id| in_h(&old_at, old, id)).cloned().collect();
        for (id, f, t) in moves(&stay, &stay_new) {
            if f.is_some() && t.is_some() {
                moved_within.insert(id);
            }
        }
    }
    for id in ids {
        let (from, to) = (place(old, &old_at, id), place(new, &new_at, id));
        let report = match (&from, &to) {
            (Some(f), Some(t)) if f.horizon == t.horizon => moved_within.contains(id) && f.position != t.position,
            (None, None) => false,
            _ => true,
        };
        if report {
            out.push(list_change(id, old, new, What::Roadmap { from, to }));
        }
    }
}

/// Horizon (index into the snapshot's roadmap) and 0-based position of each epic.
fn places(s: &Snapshot) -> HashMap<&str, (usize, usize), FastHash> {
    let mut m = HashMap::default();
    for (h, (_, ids)) in s.roadmap.iter().enumerate() {
        for (p, id) in ids.iter().enumerate() {
            m.entry(id.as_str()).or_insert((h, p));
        }
    }
    m
}

/// Every change between two snapshots, item by item in ID order.
pub fn compare(old: &Snapshot, new: &Snapshot) -> Vec<Change> {
    let ids: BTreeSet<&ItemId> = old.items.keys().chain(new.items.keys()).collect();
    let mut out = Vec::new();
    for id in ids {
        let (o, n) = (old.items.get(id), new.items.get(id));
        // An item whose file is unreadable in the new state is skipped, not deleted.
        if n.is_none() && o.is_some_and(|o| new.broken.contains_key(&o.path)) {
            continue;
        }
        // An ID two files carry: its files are compared file by file.
        let (was, now) = (old.files_of(id), new.files_of(id));
        if was.len() > 1 || now.len() > 1 {
            let was: Vec<&ItemState> = was.iter().map(|s| s.as_ref()).collect();
            let now: Vec<&ItemState> = now.iter().map(|s| s.as_ref()).collect();
            compare_files(&was, &now, &mut out);
            continue;
        }
        compare_item(o.map(|s| s.as_ref()), n.map(|s| s.as_ref()), &mut out);
    }
    compare_backlog(old, new, &mut out);
    compare_roadmap(old, new, &mut out);
    if out.iter().any(|c| matches!(c.what, What::Created { .. })) {
        let gone: Vec<(String, ItemId)> = old
            .paths
            .iter()
            .filter(|(p, _)| !new.paths.contains_key(*p))
            .map(|(p, id)| (p.clone(), id.clone()))
            .collect();
        let (o, n) =
            (|id: &ItemId, p: Option<&str>| file_of(old, id, p), |id: &ItemId, p: Option<&str>| file_of(new, id, p));
        fold_renumbers(&mut out, &o, &n, &gone);
    }
    sort(&mut out);
    out
}

/// The state of the item `id` in a snapshot, or of its file at `path` when given.
pub fn file_of<'s>(snap: &'s Snapshot, id: &ItemId, path: Option<&str>) -> Option<&'s ItemState> {
    match path {
        None => snap.items.get(id).map(|s| s.as_ref()),
        Some(p) => snap.files_of(id).into_iter().find(|s| s.path == p).map(|s| s.as_ref()),
    }
}

/// An item's state by ID, on one side of a comparison.
/// With a path: the state of the file at that path carrying the ID (two files may carry one).
pub type Lookup<'a> = dyn Fn(&ItemId, Option<&str>) -> Option<&'a ItemState> + 'a;

/// Tell renumbers as renumbers: an item deleted and one created of the same kind, in one step,
/// with the same title (or, failing that, the same file name after the ID), the one such pair,
/// are one item whose ID changed. Their "created", "deleted", "left/entered the backlog (or
/// roadmap)" become one `Renumbered` change, a move if the place changed, and the item's own
/// field and criteria changes.
///
/// `gone` lists the item files of the old side that the new one lacks, with their old IDs.
pub fn fold_renumbers<'a>(out: &mut Vec<Change>, old: &Lookup<'a>, new: &Lookup<'a>, gone: &[(String, ItemId)]) {
    let pairs = renumbers(out, gone);
    if pairs.is_empty() {
        return;
    }
    let mut added = Vec::new();
    for (to, (from, from_path)) in &pairs {
        let (Some(to_id), Some(from_id)) = (ItemId::parse(to), ItemId::parse(from)) else { continue };
        let Some(n) = new(&to_id, None) else { continue };
        // The renumbered file's old state, when it is the one the old side showed for the ID.
        let o = old(&from_id, from_path.as_deref());
        // A renumber changes the ID and nothing else: another item with the same title (a story
        // deleted and one added in one commit) is not one.
        if o.is_some_and(|o| o.fields != n.fields || o.criteria != n.criteria || o.body != n.body) {
            continue;
        }
        // When the old ID is still in use (two files carried it, and one was renumbered), the
        // renumbered file's backlog line was there under the old ID: it did not enter anew.
        let cure = new(&from_id, None).is_some();
        let arrived = new(&from_id, None).filter(|x| old(&from_id, Some(&x.path)).is_none());
        let rank = |w: &What| if let What::Rank { from, to } = w { Some((*from, *to)) } else { None };
        let road = |w: &What| if let What::Roadmap { from, to } = w { Some((from.clone(), to.clone())) } else { None };
        let (rank_from, rank_to) = left_and_entered(out, from, to, rank);
        let (road_from, road_to) = left_and_entered(out, from, to, road);
        let (rank_to, road_to) = (rank_to.filter(|_| !cure), road_to.filter(|_| !cure));
        out.retain(|c| {
            let gone = c.id == *from
                && matches!(
                    c.what,
                    What::Deleted { .. } | What::Rank { to: None, .. } | What::Roadmap { to: None, .. }
                );
            let came = c.id == *to
                && matches!(
                    c.what,
                    What::Created { .. } | What::Rank { from: None, .. } | What::Roadmap { from: None, .. }
                );
            // The old ID's other file arrived in this step (compared against the renumbered
            // one, which is not it): what was said about it is replaced by its creation.
            let other = arrived.is_some() && c.id == *from;
            !gone && !came && !other
        });
        if let Some(x) = arrived {
            added.push(change(
                x,
                What::Created { kind: x.kind.to_string(), fields: x.fields.clone(), criteria: x.criteria.clone() },
            ));
        }
        let file = if cure { from_path.clone() } else { None };
        added.push(change(n, What::Renumbered { from: from.clone(), to: to.clone(), file }));
        if let Some(o) = o {
            let mut same = o.clone();
            same.id = n.id.clone();
            same.path = n.path.clone();
            compare_item(Some(&same), Some(n), &mut added);
        }
        if rank_from.is_some() != rank_to.is_some() || rank_from != rank_to {
            added.push(change(n, What::Rank { from: rank_from, to: rank_to }));
        }
        if road_from.is_some() != road_to.is_some() || road_from != road_to {
            added.push(change(n, What::Roadmap { from: road_from, to: road_to }));
        }
    }
    out.extend(added);
}

/// Where `from` stood in a list when it left it, and where `to` stood when it entered it, in one
/// step's moves (`moves` reads a change as a list move, from and to).
fn left_and_entered<T>(
    out: &[Change],
    from: &str,
    to: &str,
    moves: impl Fn(&What) -> Option<(Option<T>, Option<T>)>,
) -> (Option<T>, Option<T>) {
    let left = out.iter().filter(|c| c.id == from).find_map(|c| match moves(&c.what)? {
        (Some(f), None) => Some(f),
        _ => None,
    });
    let entered = out.iter().filter(|c| c.id == to).find_map(|c| match moves(&c.what)? {
        (None, Some(t)) => Some(t),
        _ => None,
    });
    (left, entered)
}

/// The items a step renumbered, new ID to (old ID, the file it was in when known): a deletion
/// and a creation of one kind and one title, when they are the only such pair; else a creation
/// whose file name after the ID is that of the one file of its kind that went away (also when
/// the old ID lives on in another file: two files carried it, and one was renumbered).
fn renumbers(changes: &[Change], gone: &[(String, ItemId)]) -> HashMap<String, (String, Option<String>)> {
    let mut out: HashMap<String, (String, Option<String>)> = HashMap::new();
    // (kind, title) -> (IDs deleted, IDs created) in this step.
    type Pairs<'c> = HashMap<(&'c str, &'c str), (Vec<&'c Change>, Vec<&'c str>)>;
    let mut by: Pairs = HashMap::new();
    for c in changes {
        match &c.what {
            What::Deleted { kind } => by.entry((kind, &c.title)).or_default().0.push(c),
            What::Created { kind, .. } => by.entry((kind, &c.title)).or_default().1.push(&c.id),
            _ => {}
        }
    }
    for (_, (old, new)) in by {
        if let ([old], [new]) = (old.as_slice(), new.as_slice()) {
            let path = (!old.path.is_empty()).then(|| old.path.clone());
            out.insert(new.to_string(), (old.id.clone(), path));
        }
    }
    let slug_of = |path: &str| -> String {
        let name = path.rsplit('/').next().unwrap_or(path);
        let after_prefix = name.find('-').map_or(name, |i| &name[i + 1..]);
        after_prefix.trim_start_matches(|ch: char| ch.is_ascii_digit()).to_string()
    };
    let dir_of = |path: &str| path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    for c in changes {
        if !matches!(c.what, What::Created { .. }) || out.contains_key(&c.id) {
            continue;
        }
        let Some(id) = ItemId::parse(&c.id) else { continue };
        let taken = |x: &ItemId| out.values().any(|(o, _)| *o == x.to_string());
        let same: Vec<&(String, ItemId)> = gone
            .iter()
            .filter(|(p, x)| {
                x.prefix == id.prefix
                    && *x != id
                    && slug_of(p) == slug_of(&c.path)
                    && dir_of(p) == dir_of(&c.path)
                    && !taken(x)
            })
            .collect();
        if let [(p, x)] = same.as_slice() {
            out.insert(c.id.clone(), (x.to_string(), Some(p.clone())));
        }
    }
    out
}

/// Order changes by item (epics, stories, visions; by number), keeping each item's order.
pub fn sort(changes: &mut [Change]) {
    changes.sort_by_key(|c| ItemId::parse(&c.id).map(|i| (i.prefix, i.number)).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn one_story_to_the_top_is_one_move() {
        let m = moves(&ids("a b c d e f g"), &ids("g a b c d e f"));
        assert_eq!(m, vec![("g".into(), Some(7), Some(1))]);
    }

    #[test]
    fn additions_and_removals_are_not_moves_of_the_rest() {
        let m = moves(&ids("a b c"), &ids("x a c"));
        assert_eq!(m, vec![("x".into(), None, Some(1)), ("b".into(), Some(2), None)]);
    }

    #[test]
    fn a_reversed_backlog_moved_every_story_but_the_middle_one() {
        let m = moves(&ids("a b c d e"), &ids("e d c b a"));
        let moved: Vec<&str> = m.iter().map(|(id, _, _)| id.as_str()).collect();
        assert_eq!(moved, ["e", "d", "b", "a"]);
        // Among equally long runs in order, the one of stories that kept their rank stays.
        let m = moves(&ids("a b c d"), &ids("b a c d x").into_iter().take(4).collect::<Vec<_>>());
        assert_eq!(m, vec![("b".into(), Some(2), Some(1))]);
        let m = moves(&ids("a b c d e f"), &ids("f b c d e a"));
        assert_eq!(m, vec![("f".into(), Some(6), Some(1)), ("a".into(), Some(1), Some(6))]);
    }

    #[test]
    fn ordinals() {
        let o: Vec<_> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].iter().map(|n| ordinal(*n)).collect();
        assert_eq!(o, ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]);
    }
}
