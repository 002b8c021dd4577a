//! Rules that relate items: duplicate IDs, links (`epic`, `vision`, `depends_on`, a feedback
//! item's `stories` and `epics`), dependency
//! cycles, items without parents or children, and statuses that contradict each other.
//! Every lookup goes through hash maps built once, so the rules are linear in the items.

use std::collections::{HashMap, HashSet};

use crate::check::doc::Doc;
use crate::check::{Finding, Related};
use crate::error::did_you_mean_id;
use crate::model::config::Config;
use crate::model::id::{ItemId, Kind};

/// IDs to documents.
pub(crate) struct Index {
    /// Every document carrying an ID, in path order.
    by_id: HashMap<String, Vec<usize>>,
    /// IDs of each kind, for "did you mean".
    ids: HashMap<Kind, Vec<String>>,
    /// The highest number in use per prefix.
    highest: HashMap<String, u64>,
    /// IDs named by the file names of item files that could not be read at all (their own
    /// finding says why): a link or list line naming one is not "dangling", and following the
    /// hint to remove it would lose the rank or link of an item that is only broken.
    unreadable: HashMap<String, String>,
    /// A folder that could not be listed: any ID may be behind it.
    unlisted: Option<String>,
}

impl Index {
    pub fn new(docs: &[Doc], unreadable: HashMap<String, String>, unlisted: Option<String>, _config: &Config) -> Index {
        let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
        let mut ids: HashMap<Kind, Vec<String>> = HashMap::new();
        let mut highest: HashMap<String, u64> = HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            let (Some(id), Some(kind)) = (&d.id, d.kind) else { continue };
            let text = id.to_string();
            let entry = by_id.entry(text.clone()).or_default();
            if entry.is_empty() {
                ids.entry(kind).or_default().push(text);
            }
            entry.push(i);
            let h = highest.entry(id.prefix.clone()).or_default();
            *h = (*h).max(id.number);
        }
        Index { by_id, ids, highest, unreadable, unlisted }
    }

    /// The path of the unreadable file whose name carries `id` (or of a folder that could not
    /// be listed, which may hold it), when no readable file carries it.
    pub fn unreadable(&self, id: &str) -> Option<&str> {
        (self.unreadable.get(id).or(self.unlisted.as_ref())).map(String::as_str).filter(|_| self.get(id).is_none())
    }

    /// Whether a folder could not be listed: an item may have children no rule sees.
    pub fn partial(&self) -> bool {
        self.unlisted.is_some()
    }

    /// Every document carrying `id` (more than one: a duplicate ID).
    pub fn all(&self, id: &str) -> &[usize] {
        self.by_id.get(id).map_or(&[], Vec::as_slice)
    }

    /// The (first) document carrying `id`.
    pub fn get(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).and_then(|v| v.first().copied())
    }

    /// The closest ID of `kind` to `word`. Among a few hundred IDs, by edit distance; among
    /// more, only IDs one digit away (one changed, dropped, added or swapped), found by lookup:
    /// comparing each of 20,000 unknown backlog lines with each of 10,000 IDs was most of a
    /// quadratic `pm check` (docs/reliability.md, "Findings at scale").
    pub fn suggest(&self, word: &str, kind: Kind) -> Option<String> {
        let ids = self.ids.get(&kind).map_or(&[][..], Vec::as_slice);
        if ids.len() <= 500 {
            return did_you_mean_id(word, ids.iter().map(String::as_str));
        }
        crate::error::one_digit_away(word, |id| self.by_id.contains_key(id))
    }

    /// One more than the highest number with `prefix`.
    pub fn next_free(&self, prefix: &str) -> u64 {
        self.highest.get(prefix).copied().unwrap_or(0) + 1
    }
}

/// The findings of the rules that relate items; `listed` holds the ID and link (a path inside
/// `product/`) of each line of the backlog and roadmap.
pub(crate) fn check(docs: &[Doc], index: &Index, listed: &HashSet<(String, String)>, config: &Config) -> Vec<Finding> {
    let mut out = Vec::new();
    duplicates(docs, index, listed, &mut out);
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        match d.kind {
            Some(Kind::Story) => {
                if let Some(e) = link(d, "epic", None, Kind::Epic, docs, index, &mut out) {
                    children.entry(e).or_default().push(i);
                } else if d.scalar("epic").is_none() && d.is_open(config) && d.id.is_some() {
                    out.push(
                        d.finding("story/no-epic", (1, 1), format!("{} belongs to no epic", d.name()))
                            .hint(format!("set one: `pm story set {} epic=E-1`", d.name())),
                    );
                }
                for dep in d.list("depends_on") {
                    link(d, "depends_on", Some(&dep), Kind::Story, docs, index, &mut out);
                }
            }
            Some(Kind::Epic) => {
                let linked = link(d, "vision", None, Kind::Vision, docs, index, &mut out).is_some();
                if !linked && d.scalar("vision").is_none() && d.id.is_some() {
                    out.push(
                        d.finding("epic/no-vision", (1, 1), format!("{} belongs to no vision", d.name()))
                            .hint(format!("set one: `pm epic set {} vision=V-1`", d.name())),
                    );
                }
            }
            Some(Kind::Feedback) => {
                for (key, want) in [("stories", Kind::Story), ("epics", Kind::Epic)] {
                    for target in d.list(key) {
                        link(d, key, Some(&target), want, docs, index, &mut out);
                    }
                }
            }
            _ => {}
        }
    }
    for (i, d) in docs.iter().enumerate() {
        if d.kind != Some(Kind::Epic) || d.id.is_none() || index.get(&d.name()) != Some(i) {
            continue;
        }
        let kids = children.get(&i).map(Vec::as_slice).unwrap_or(&[]);
        if kids.is_empty() && d.is_open(config) && !index.partial() {
            out.push(
                d.finding("epic/no-stories", (1, 1), format!("{} has no stories", d.name()))
                    .hint(format!("add one: `pm story add \"Title\" --epic {}`", d.name())),
            );
        }
        if d.is_closed(config) {
            let open: Vec<&Doc> = kids.iter().map(|&k| &docs[k]).filter(|s| s.is_open(config)).collect();
            if !open.is_empty() {
                let list = open
                    .iter()
                    .take(5)
                    .map(|s| format!("{} ({})", s.name(), s.status.as_deref().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join(", ");
                let more = if open.len() > 5 { format!(" and {} more", open.len() - 5) } else { String::new() };
                let status = d.status.as_deref().unwrap_or("");
                let related = open
                    .iter()
                    .map(|s| Related { path: s.path.to_string(), line: s.key_line("status").unwrap_or(1) })
                    .collect();
                out.push(
                    d.finding(
                        "status/inconsistent",
                        d.value_pos("status"),
                        if open.len() == 1 {
                            format!("{} is {status} but its story {list} is open", d.name())
                        } else {
                            format!("{} is {status} but its stories {list}{more} are open", d.name())
                        },
                    )
                    .hint("close or move the open stories, or reopen the epic")
                    .related(related),
                );
            }
        }
    }
    cycles(docs, index, &mut out);
    out
}

/// One finding per ID two or more files carry. Its `pm renumber` hint names a file no line of
/// the backlog or roadmap names with that ID (a copy), and of those the one whose name says
/// another ID (a mistyped `id:`), so the item keeps the ID its line and links know.
fn duplicates(docs: &[Doc], index: &Index, listed: &HashSet<(String, String)>, out: &mut Vec<Finding>) {
    let mut groups: Vec<&Vec<usize>> = index.by_id.values().filter(|v| v.len() > 1).collect();
    groups.sort();
    for group in groups {
        let first = &docs[group[0]];
        let id = first.id.as_ref().expect("indexed documents have IDs");
        let files = group.iter().map(|&i| docs[i].path).collect::<Vec<_>>().join(", ");
        let related = group[1..]
            .iter()
            .map(|&i| Related { path: docs[i].path.to_string(), line: docs[i].key_line("id").unwrap_or(1) })
            .collect();
        let new = ItemId::new(&id.prefix, index.next_free(&id.prefix));
        let rels: Vec<&str> = group.iter().map(|&i| docs[i].rel).collect();
        let listed = |id: &str, rel: &str| listed.contains(&(id.to_string(), rel.to_string()));
        let renumbered = group[crate::model::listfile::to_renumber(&id.to_string(), &rels, listed)];
        out.push(
            first
                .finding(
                    "id/duplicate",
                    first.value_pos("id"),
                    format!("{id} is the ID of {} files: {files}", group.len()),
                )
                .hint(format!("give all but one a new ID: `pm renumber {id} {new} --file {}`", docs[renumbered].path))
                .related(related),
        );
    }
}

/// Check one link of `d` (the field `key`, or one `value` of a list field). Returns the
/// document it names when that is of the right kind.
fn link(
    d: &Doc,
    key: &str,
    value: Option<&str>,
    want: Kind,
    docs: &[Doc],
    index: &Index,
    out: &mut Vec<Finding>,
) -> Option<usize> {
    let target = match value {
        Some(v) => v.to_string(),
        None => d.scalar(key)?,
    };
    let target = target.trim();
    // Only a finding needs the position (finding it scans the front matter).
    let pos = || d.needle_pos(key, target);
    let Some(found) = index.get(target) else {
        if index.unreadable(target).is_some() {
            return None;
        }
        let what = if ItemId::parse(target).is_some() { "names no item" } else { "is not an ID" };
        let hint = match index.suggest(target, want) {
            Some(s) => format!("did you mean {s}?"),
            None => format!("`pm {want} list` shows the {want} IDs"),
        };
        out.push(d.finding("link/dangling", pos(), format!("`{key}: {target}` {what}")).hint(hint));
        return None;
    };
    let kind = docs[found].kind.expect("indexed documents have a kind");
    if kind != want {
        out.push(
            d.finding(
                "link/wrong-kind",
                pos(),
                format!("`{key}` must name {}, but {target} is {}", want.with_article(), kind.with_article()),
            )
            .hint(format!("`pm {want} list` shows the {want} IDs")),
        );
        return None;
    }
    Some(found)
}

/// Dependency cycles among stories: an iterative depth-first search; each back edge is one cycle.
fn cycles(docs: &[Doc], index: &Index, out: &mut Vec<Finding>) {
    let n = docs.len();
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, d) in docs.iter().enumerate() {
        if d.kind != Some(Kind::Story) || d.id.is_none() || index.get(&d.name()) != Some(i) {
            continue;
        }
        for dep in d.list("depends_on") {
            if let Some(j) = index.get(dep.trim())
                && docs[j].kind == Some(Kind::Story)
            {
                adj[i].push(j);
            }
        }
    }
    const WHITE: u8 = 0;
    const GRAY: u8 = 1;
    const BLACK: u8 = 2;
    let mut state = vec![WHITE; n];
    let mut pos_in_stack = vec![usize::MAX; n];
    for root in 0..n {
        if state[root] != WHITE || adj[root].is_empty() {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = GRAY;
        pos_in_stack[root] = 0;
        while let Some(top) = stack.last_mut() {
            let node = top.0;
            if let Some(&to) = adj[node].get(top.1) {
                top.1 += 1;
                match state[to] {
                    WHITE => {
                        state[to] = GRAY;
                        pos_in_stack[to] = stack.len();
                        stack.push((to, 0));
                    }
                    GRAY => {
                        let members: Vec<usize> = stack[pos_in_stack[to]..].iter().map(|&(m, _)| m).collect();
                        out.push(cycle_finding(docs, &members));
                    }
                    _ => {}
                }
            } else {
                state[node] = BLACK;
                stack.pop();
            }
        }
    }
}

fn cycle_finding(docs: &[Doc], members: &[usize]) -> Finding {
    let first = &docs[members[0]];
    let next = members.get(1).map(|&m| docs[m].name()).unwrap_or_else(|| first.name());
    let mut chain: Vec<String> = members.iter().map(|&m| docs[m].name()).collect();
    chain.push(first.name());
    let related = members[1..]
        .iter()
        .map(|&m| Related { path: docs[m].path.to_string(), line: docs[m].key_line("depends_on").unwrap_or(1) })
        .collect();
    first
        .finding(
            "link/cycle",
            first.needle_pos("depends_on", &next),
            format!("dependency cycle: {}", chain.join(" -> ")),
        )
        .hint("remove one of the depends_on links so the stories can be done in some order")
        .related(related)
}
