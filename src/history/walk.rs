//! Walking the commits that touched `product/` and computing what each one changed.
//!
//! First-parent by default (a merge counts as one change, made by the merge); with
//! `all_parents`, every commit of merged branches is visited (each knowing the merge of the
//! first-parent line that brought it) and a merge reports only what none of its parents had. A commit whose `product/` tree equals its parent's is skipped
//! without diffing; for the others only the `product/` subtrees are diffed, and each changed
//! blob is parsed once (parses are kept by blob ID). Results are kept per commit in the
//! [`Cache`], so a second walk only computes new commits. Nothing is checked out and no
//! process is spawned.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use git2::{Commit, Oid};

use crate::error::{Error, Result};
use crate::history::cache::{Cache, CommitInfo, Entry, OrderEdit, Problem};
use crate::history::changes::{self, Change};
use crate::history::read::ReadProduct;
use crate::history::snapshot::{ItemState, Snapshot};
use crate::model::config::Config;
use crate::model::id::ItemId;
use crate::model::layout::{CONFIG_FILE, Role, role};
use crate::store::odb::{Data, TreeEntry, tree_entry_at, tree_find};
use crate::store::repo::{GraphCommit, Repo};

/// How to walk.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Visit the commits of merged branches too, not only the first-parent line.
    pub all_parents: bool,
}

/// One commit that changed the product (or held a file that could not be read).
#[derive(Debug, Clone)]
pub struct Walked {
    pub info: CommitInfo,
    /// The merge of HEAD's first-parent line that brought this commit, when it is not on it.
    pub via: Option<Oid>,
    /// What the commit changed, shared with the cache.
    entry: Rc<Entry>,
}

impl Walked {
    pub fn changes(&self) -> &[Change] {
        &self.entry.changes
    }

    pub fn problems(&self) -> &[Problem] {
        &self.entry.problems
    }

    /// How it reordered the backlog, exactly (its rank changes name only what moved).
    pub fn order(&self) -> Option<&OrderEdit> {
        self.entry.order.as_ref()
    }
}

/// The outcome of a walk, oldest commit first.
#[derive(Debug, Default)]
pub struct History {
    pub commits: Vec<Walked>,
    /// Set in a shallow clone: the commit where the available history starts.
    pub truncated_at: Option<String>,
    /// Commits visited, and how many of them had to be computed (not found in the cache).
    pub walked: usize,
    pub computed: usize,
    /// The repository has no commits yet.
    pub no_commits: bool,
}

impl History {
    /// The backlog's order just before `time` (commit times as [`crate::history::flow::clock`]
    /// counts them), replayed from the commits' order edits: no backlog is read.
    pub fn backlog_before(&self, time: i64) -> Vec<String> {
        let mut list = Vec::new();
        for (commit, at) in self.commits.iter().zip(crate::history::flow::clock(self)) {
            if at >= time {
                break;
            }
            if let Some(edit) = commit.order() {
                edit.apply(&mut list, str::to_string);
            }
        }
        list
    }
}

/// What parsing one blob at one path gave.
#[derive(Clone)]
enum Parsed {
    Item(Rc<ItemState>),
    NotItem,
    Broken(String),
}

struct Walker<'g> {
    git: &'g Repo,
    trees: Trees,
    /// The settings the parses below were made with, and the pm.yaml blob they came from.
    config: (Option<Oid>, Config),
    parsed: HashMap<(Oid, String), Parsed>,
    /// The snapshot of the last commit computed, with its product tree.
    current: Option<(Option<Oid>, Snapshot)>,
}

/// Walk HEAD's history. `progress(done, total)` is called as commits are visited.
pub fn walk(git: &Repo, opts: Options, cache: &mut Cache, progress: &mut dyn FnMut(usize, usize)) -> Result<History> {
    let mut history = History::default();
    let Some(head) = git.head()? else {
        history.no_commits = true;
        return Ok(history);
    };
    let shallow = git.shallow();
    let oids: Vec<GraphCommit> = if opts.all_parents {
        git.graph(head.id())?
    } else {
        git.first_parent_line(head.id())?.into_iter().map(|oid| GraphCommit { oid, via: None, merge: false }).collect()
    };
    let mut walker = Walker {
        git,
        trees: Trees::default(),
        config: (None, Config::default()),
        parsed: HashMap::new(),
        current: None,
    };
    let total = oids.len();
    for (i, GraphCommit { oid, via, merge }) in oids.into_iter().enumerate() {
        progress(i, total);
        history.walked += 1;
        if shallow.contains(&oid) {
            // The parent is not in this clone: what this commit changed cannot be known (even
            // when a cache from before the clone was made shallow knows it: the commits before
            // are not shown either).
            history.truncated_at = Some(oid.to_string());
            walker.current = None;
            continue;
        }
        // On the first-parent line a commit's key is its ID: a cached commit is not even read
        // (a warm walk of 5,000 commits reads none, and frees none).
        // (Walking every commit, a merge is keyed apart: it reports only what no parent had.)
        let cached = if merge { None } else { cache.get(&oid.to_string()).map(Rc::clone) };
        let entry = if let Some(e) = cached {
            e
        } else {
            let commit = git.commit(oid)?;
            let key = if merge { format!("{oid}+all") } else { oid.to_string() };
            if let Some(e) = cache.get(&key) {
                Rc::clone(e)
            } else {
                history.computed += 1;
                let e = Rc::new(walker.entry(&commit, merge)?);
                cache.insert(key, Rc::clone(&e));
                e
            }
        };
        if let Some(info) = &entry.info {
            history.commits.push(Walked { info: info.clone(), via, entry: Rc::clone(&entry) });
        }
    }
    progress(total, total);
    if opts.all_parents {
        // Branches interleave in time; show the changes in the order they were made.
        history.commits.sort_by_key(|c| c.info.time);
    }
    Ok(history)
}

fn info(commit: &Commit) -> CommitInfo {
    let author = commit.author();
    CommitInfo {
        id: commit.id().to_string(),
        author: author.name().unwrap_or("").to_string(),
        email: author.email().unwrap_or("").to_string(),
        time: commit.time().seconds(),
        offset: commit.time().offset_minutes(),
        summary: commit.summary().ok().flatten().unwrap_or("").to_string(),
    }
}

/// A tree read by the walk, with where its entries start once known (`None` inside when the
/// tree is malformed): the next version of the tree is then compared from the first byte that
/// differs, not from its first entry.
struct RawTree {
    data: Data,
    starts: OnceCell<Option<Vec<u32>>>,
}

impl RawTree {
    fn new(data: Data) -> Rc<RawTree> {
        Rc::new(RawTree { data, starts: OnceCell::new() })
    }

    /// Where each entry starts, then where the last one ends; `None` for a malformed tree.
    fn starts(&self) -> Option<&[u32]> {
        self.starts
            .get_or_init(|| {
                let raw = &self.data[..];
                let mut out = Vec::new();
                let mut at = 0;
                while let Some((_, end)) = tree_entry_at(raw, at) {
                    out.push(u32::try_from(at).ok()?);
                    at = end;
                }
                (at == raw.len()).then_some(())?;
                out.push(u32::try_from(at).ok()?);
                Some(out)
            })
            .as_deref()
    }
}

/// The last version read of each subtree of `product/`, by path: the parent side of the next
/// commit that changes it, with its entry starts known. Each version of a 700 KiB folder tree
/// is read once.
#[derive(Default)]
struct Trees {
    by_path: HashMap<String, (Oid, Rc<RawTree>)>,
}

impl Trees {
    /// The tree `oid` at `path`: kept by path for the next commit's diff, and by ID for the
    /// rest of this one's (a tree named at two paths is read once).
    fn get(&mut self, git: &Repo, path: &str, oid: Oid, diff: &mut OneDiff) -> Result<Rc<RawTree>> {
        if let Some((id, tree)) = self.by_path.get(path)
            && *id == oid
        {
            return Ok(tree.clone());
        }
        if let Some(tree) = diff.read.get(&oid) {
            return Ok(tree.clone());
        }
        let tree = RawTree::new(git.raw_tree(oid)?);
        self.by_path.insert(path.to_string(), (oid, tree.clone()));
        diff.read.insert(oid, tree.clone());
        Ok(tree)
    }
}

/// One commit's [`diff_trees`]: the entries it may still visit, and the trees it read.
struct OneDiff {
    budget: usize,
    read: HashMap<Oid, Rc<RawTree>>,
}

/// Git's order of tree entries: by name, a folder's name counting as if it ended in `/`.
fn git_order(a: &TreeEntry, b: &TreeEntry) -> std::cmp::Ordering {
    let n = a.name.len().min(b.name.len());
    a.name[..n].cmp(&b.name[..n]).then_with(|| {
        let end = |e: &TreeEntry| e.name.get(n).copied().unwrap_or(if e.is_tree() { b'/' } else { 0 });
        end(a).cmp(&end(b))
    })
}

/// One name whose entry differs between two trees: `(name, old entry, new entry)`.
type Changed<'t> = (&'t str, Option<TreeEntry<'t>>, Option<TreeEntry<'t>>);

/// The entries that differ between two raw trees, by name in byte order, and the entry starts
/// of the new tree. Both trees are walked side by side in git's order, so equal entries cost a
/// comparison and nothing is allocated for them; when the old tree's entry starts are known,
/// the walk starts at the entry holding the first byte that differs and stops where the rest
/// of both trees is the same bytes. Names that are not UTF-8 are left out, as the loaders do.
/// `None` when either tree is malformed (an entry that does not parse before its end).
fn changed_entries<'t>(old: &'t RawTree, new: &'t RawTree) -> Option<(Vec<Changed<'t>>, Vec<u32>)> {
    let (a, b) = (&old.data[..], &new.data[..]);
    let mut out: Vec<Changed<'t>> = Vec::new();
    let starts = old.starts();
    let mut new_starts: Vec<u32> = Vec::with_capacity(starts.map_or(0, |s| s.len() + 8));
    // Where to start, and how many bytes at the end both trees share.
    let (mut i, tail) = match starts {
        Some(starts) => {
            let same = crate::history::snapshot::common_prefix(a, b);
            let k = starts.partition_point(|&s| s as usize <= same).saturating_sub(1);
            new_starts.extend_from_slice(&starts[..k]);
            let from = starts[k] as usize;
            (from, crate::history::snapshot::common_suffix(&a[from..], &b[from..]))
        }
        None => (0, 0),
    };
    let mut j = i;
    let (mut x, mut y) = (tree_entry_at(a, i), tree_entry_at(b, j));
    let name = |e: &TreeEntry<'t>| std::str::from_utf8(e.name).ok();
    let pos = |n: usize| u32::try_from(n).ok();
    loop {
        if let Some(starts) = starts
            && a.len() - i == b.len() - j
            && a.len() - i <= tail
        {
            // The rest is the same bytes, starting at an entry in both.
            let from = starts.partition_point(|&s| (s as usize) < i);
            if starts.get(from).is_some_and(|&s| s as usize == i) {
                new_starts.extend(starts[from..].iter().map(|&s| s - pos(i).unwrap_or(0) + pos(j).unwrap_or(0)));
                break;
            }
        }
        let order = match (&x, &y) {
            (None, None) => {
                if i != a.len() || j != b.len() {
                    return None;
                }
                new_starts.push(pos(j).unwrap_or(u32::MAX));
                break;
            }
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(p), Some(q)) => git_order(&p.0, &q.0),
        };
        if order.is_ge() {
            new_starts.push(pos(j).unwrap_or(u32::MAX));
        }
        match order {
            std::cmp::Ordering::Less => {
                if let Some((e, end)) = x {
                    if let Some(n) = name(&e) {
                        out.push((n, Some(e), None));
                    }
                    i = end;
                }
                x = tree_entry_at(a, i);
            }
            std::cmp::Ordering::Greater => {
                if let Some((f, end)) = y {
                    if let Some(n) = name(&f) {
                        out.push((n, None, Some(f)));
                    }
                    j = end;
                }
                y = tree_entry_at(b, j);
            }
            std::cmp::Ordering::Equal => {
                if let (Some((e, ei)), Some((f, fj))) = (x, y) {
                    if e.oid != f.oid
                        && let Some(n) = name(&e)
                    {
                        out.push((n, Some(e), Some(f)));
                    }
                    (i, j) = (ei, fj);
                }
                x = tree_entry_at(a, i);
                y = tree_entry_at(b, j);
            }
        }
    }
    // A name that is a folder on one side and a file on the other came as two entries: one.
    out.sort_by(|p, q| p.0.cmp(q.0));
    out.dedup_by(|later, first| {
        if later.0 != first.0 {
            return false;
        }
        first.1 = first.1.or(later.1);
        first.2 = first.2.or(later.2);
        true
    });
    out.retain(|(_, x, y)| x.map(|e| e.oid) != y.map(|e| e.oid));
    Some((out, new_starts))
}

/// The blobs that differ between two raw trees: `(path, old blob, new blob)`, `None` where
/// the path holds no blob. Subtrees with equal IDs are not entered, so the cost is that of the
/// change, not of the tree. (Faster than a libgit2 diff, which also reads the configuration.)
fn diff_trees(
    git: &Repo,
    trees: &mut Trees,
    old: Option<&RawTree>,
    new: Option<&RawTree>,
    prefix: &str,
    out: &mut Vec<(String, Option<Oid>, Option<Oid>)>,
    diff: &mut OneDiff,
) -> Result<()> {
    if prefix.matches('/').count() > crate::store::repo::MAX_TREE_DEPTH {
        let message = format!(
            "git trees under product/{} are nested more than {} folders deep: the repository is damaged or hostile",
            prefix.split('/').take(3).collect::<Vec<_>>().join("/"),
            crate::store::repo::MAX_TREE_DEPTH
        );
        return Err(Error::Damaged { message });
    }
    let empty = RawTree::new(Rc::new(Vec::new()));
    let new = new.unwrap_or(&empty);
    let Some((changed, new_starts)) = changed_entries(old.unwrap_or(&empty), new) else {
        let message = format!("a git tree under product/{prefix} is malformed");
        return Err(Error::Damaged { message });
    };
    let _ = new.starts.set(Some(new_starts));
    diff.budget = diff.budget.checked_sub(changed.len()).ok_or_else(|| {
        let message = format!(
            "git trees under product/ change more than {} files and folders in one commit (trees that repeat one another): the repository is damaged or hostile",
            crate::store::repo::MAX_TREE_ENTRIES
        );
        Error::Damaged { message }
    })?;
    for (name, x, y) in changed {
        let path = format!("{prefix}{name}");
        let mut tree_of = |e: Option<TreeEntry>| -> Result<Option<Rc<RawTree>>> {
            match e {
                Some(e) if e.is_tree() => Ok(Some(trees.get(git, &path, e.id(), diff)?)),
                _ => Ok(None),
            }
        };
        let (ta, tb) = (tree_of(x)?, tree_of(y)?);
        if ta.is_some() || tb.is_some() {
            diff_trees(git, trees, ta.as_deref(), tb.as_deref(), &format!("{path}/"), out, diff)?;
        }
        let blob_of = |e: Option<TreeEntry>| e.filter(TreeEntry::is_file).map(|e| e.id());
        let (ba, bb) = (blob_of(x), blob_of(y));
        if ba.is_some() || bb.is_some() {
            out.push((path, ba, bb));
        }
    }
    Ok(())
}

/// A path whose blob differs between two trees: `(path, old blob, new blob)`.
pub type BlobChange = (String, Option<Oid>, Option<Oid>);

/// The blobs that differ between two product trees, `(path, old blob, new blob)` as
/// [`diff_trees`] finds them (equal subtrees are not entered), and the raw trees it read, by
/// ID, for a caller that looks further into the same trees.
pub fn changed_files(git: &Repo, old: Oid, new: Oid) -> Result<(Vec<BlobChange>, HashMap<Oid, Data>)> {
    let mut trees = Trees::default();
    let mut diff = OneDiff { budget: crate::store::repo::MAX_TREE_ENTRIES, read: HashMap::new() };
    let (old, new) = (trees.get(git, "", old, &mut diff)?, trees.get(git, "", new, &mut diff)?);
    let mut out = Vec::new();
    diff_trees(git, &mut trees, Some(&old), Some(&new), "", &mut out, &mut diff)?;
    let read = diff.read.into_iter().map(|(oid, tree)| (oid, tree.data.clone())).collect();
    Ok((out, read))
}

/// What a step of the walk gives: the new snapshot, its changes, the files it could not read,
/// and how it reordered the backlog.
type Applied = (Snapshot, Vec<Change>, Vec<Problem>, Option<OrderEdit>);

impl<'g> Walker<'g> {
    /// What `commit` changed, compared with its first parent.
    fn entry(&mut self, commit: &Commit, merge: bool) -> Result<Entry> {
        let parent = self.git.first_parent(commit)?;
        let tree_c = self.git.product_tree(commit)?;
        let tree_p = match &parent {
            Some(p) => self.git.product_tree(p)?,
            None => None,
        };
        // (A merge that kept its first parent's tree may still have decided against the other,
        // unless every parent had that tree.)
        let same_as_all = tree_c == tree_p
            && (!merge || {
                let mut same = true;
                for other in self.git.parents(commit)?.into_iter().skip(1) {
                    same &= self.git.product_tree(&other)? == tree_c;
                }
                same
            });
        if same_as_all {
            return Ok(Entry { info: None, changes: Vec::new(), problems: Vec::new(), order: None });
        }
        let old = self.snapshot_for(tree_p, parent.as_ref())?;
        let (new, mut changes, problems, order) = self.apply(old, tree_p, tree_c, commit)?;
        if merge {
            for other in self.git.parents(commit)?.into_iter().skip(1) {
                let tree_o = self.git.product_tree(&other)?;
                let theirs = self.build(tree_o, Some(&other))?;
                let against = changes::compare(&theirs, &new);
                // An item renumbered in the merge is new to the parent that never had its old
                // ID, and renumbered from the one that had: it was renumbered here.
                let created = |list: &[Change], id: &str| {
                    list.iter().any(|c| c.id == id && matches!(c.what, changes::What::Created { .. }))
                };
                let renumbered_here = |c: &Change, other: &[Change]| matches!(&c.what, changes::What::Renumbered { to, .. } if created(other, to));
                // A field, the prose or a criterion a parent's branch had changed since the merge
                // base and the merge set otherwise was decided here (a conflict resolved, one
                // side's change dropped). (Built only when one side has such a change the other
                // lacks.)
                let first = parent.as_ref().map(|p| p.id());
                let decidable = |c: &Change| {
                    use changes::What::*;
                    matches!(
                        c.what,
                        Field { .. } | Described {} | AcEdited { .. } | AcChecked { .. } | AcUnchecked { .. }
                    )
                };
                let one_sided = changes.iter().filter(|c| decidable(c)).any(|c| !against.contains(c))
                    || against.iter().filter(|c| decidable(c)).any(|c| !changes.contains(c));
                let base = match first {
                    Some(p) if one_sided => self.git.merge_base(p, other.id())?,
                    _ => None,
                };
                let (base, ours_then) = match base {
                    Some(b) => {
                        let b = self.git.commit(b)?;
                        let base = self.build(self.git.product_tree(&b)?, Some(&b))?;
                        (Some(base), Some(self.build(tree_p, parent.as_ref())?))
                    }
                    None => (None, None),
                };
                // `parent`: the snapshot the change was computed against.
                let overrode = |c: &Change, parent: Option<&Snapshot>| {
                    use changes::What::*;
                    let Some(base) = &base else { return false };
                    // (The same item: at the merge base already, in the same file.)
                    let id = crate::model::id::ItemId::parse(&c.id);
                    let in_file = |snap: &'_ Snapshot| {
                        id.as_ref().and_then(|id| snap.items.get(id)).filter(|s| s.path == c.path).cloned()
                    };
                    let Some(was) = in_file(base) else { return false };
                    let then = parent.and_then(in_file);
                    let ac = |s: &ItemState, ac: &str| s.criteria.iter().find(|x| x.ac == ac).cloned();
                    match &c.what {
                        Field { field, from, .. } => was.field(field) != from.as_deref(),
                        Described {} => then.is_some_and(|t| t.body != was.body),
                        AcEdited { ac: n, from, .. } => ac(&was, n).is_some_and(|x| x.text != *from),
                        AcChecked { ac: n, .. } => ac(&was, n).is_some_and(|x| x.checked),
                        AcUnchecked { ac: n, .. } => ac(&was, n).is_some_and(|x| !x.checked),
                        _ => false,
                    }
                };
                let from_theirs: Vec<Change> = against
                    .iter()
                    .filter(|c| renumbered_here(c, &changes) || (!changes.contains(c) && overrode(c, Some(&theirs))))
                    .cloned()
                    .collect();
                changes
                    .retain(|c| against.contains(c) || renumbered_here(c, &against) || overrode(c, ours_then.as_ref()));
                changes.extend(from_theirs);
            }
        }
        self.current = Some((tree_c, new));
        let show = !changes.is_empty() || !problems.is_empty() || order.is_some();
        Ok(Entry { info: show.then(|| info(commit)), changes, problems, order })
    }

    /// The snapshot of a product tree: the current one when it matches, else built.
    fn snapshot_for(&mut self, tree: Option<Oid>, commit: Option<&Commit>) -> Result<Snapshot> {
        if let Some((t, _)) = &self.current
            && *t == tree
        {
            return Ok(self.current.take().map(|(_, s)| s).unwrap_or_default());
        }
        self.build(tree, commit)
    }

    /// Use the settings of a product tree, forgetting parses made with other settings.
    fn use_config(&mut self, tree: Oid) -> Result<()> {
        let oid = self.git.blob_at(tree, CONFIG_FILE)?;
        if self.config.0 != oid || self.parsed.is_empty() {
            let (config, _) = self.git.config(tree, "")?;
            self.config = (oid, config);
            self.parsed.clear();
        }
        Ok(())
    }

    /// Parse the blob at `rel`. A blob that cannot be read is an error (the repository is
    /// damaged), where one that does not parse marks the file broken at that commit.
    fn parse(&mut self, oid: Oid, rel: &str) -> Result<Parsed> {
        let key = (oid, rel.to_string());
        if let Some(p) = self.parsed.get(&key) {
            return Ok(p.clone());
        }
        let p = match self.git.item(oid, rel, &self.config.1) {
            Err(e @ Error::Damaged { .. }) => return Err(e),
            Ok(Some(item)) => Parsed::Item(Rc::new(ItemState::from_item(&item))),
            Ok(None) => Parsed::NotItem,
            Err(e) => Parsed::Broken(match &e {
                Error::BadFile { location, message, .. } => match location.line {
                    // Read back by `Problem::shown` as `path:l: message`.
                    Some(l) => format!("line {l}: {message}"),
                    None => message.clone(),
                },
                other => other.to_string(),
            }),
        };
        self.parsed.insert(key, p.clone());
        Ok(p)
    }

    /// A snapshot from a whole tree. A file that does not parse keeps the last state it
    /// parsed to on the first-parent line, as the incremental walk does.
    fn build(&mut self, tree: Option<Oid>, commit: Option<&Commit>) -> Result<Snapshot> {
        let mut snap = Snapshot::default();
        let Some(tree) = tree else { return Ok(snap) };
        self.use_config(tree)?;
        for (rel, oid) in self.git.files(tree)? {
            match role(&rel) {
                Role::Backlog => snap.set_backlog(&self.git.text(oid)?.unwrap_or_default()),
                Role::Roadmap => snap.set_roadmap(&self.git.text(oid)?.unwrap_or_default()),
                Role::Item { .. } => match self.parse(oid, &rel)? {
                    Parsed::Item(s) => snap.insert(s),
                    Parsed::NotItem => {}
                    Parsed::Broken(msg) => {
                        if let Some(c) = commit
                            && let Some(s) = self.last_good(c, &rel)?
                        {
                            snap.insert(s);
                        }
                        snap.broken.insert(rel, msg);
                    }
                },
                Role::Config | Role::Other => {}
            }
        }
        Ok(snap)
    }

    /// The state the file at `rel` last parsed to, going back along first parents from
    /// `commit` (exclusive) while the file exists and stays unreadable.
    fn last_good(&mut self, commit: &Commit, rel: &str) -> Result<Option<Rc<ItemState>>> {
        let mut cur = self.git.first_parent(commit)?;
        for _ in 0..10_000 {
            let Some(c) = cur else { return Ok(None) };
            let Some(tree) = self.git.product_tree(&c)? else { return Ok(None) };
            let Some(blob) = self.git.blob_at(tree, rel)? else { return Ok(None) };
            match self.parse(blob, rel)? {
                Parsed::Item(s) => return Ok(Some(s)),
                Parsed::NotItem => return Ok(None),
                Parsed::Broken(_) => cur = self.git.first_parent(&c)?,
            }
        }
        Ok(None)
    }

    /// Turn the parent's snapshot into the commit's by re-reading only the files that differ.
    fn apply(
        &mut self,
        mut snap: Snapshot,
        tree_p: Option<Oid>,
        tree_c: Option<Oid>,
        commit: &Commit,
    ) -> Result<Applied> {
        let git: &'g Repo = self.git;
        let mut diff = OneDiff { budget: crate::store::repo::MAX_TREE_ENTRIES, read: HashMap::new() };
        let old_tree = tree_p.map(|t| self.trees.get(git, "", t, &mut diff)).transpose()?;
        let new_tree = tree_c.map(|t| self.trees.get(git, "", t, &mut diff)).transpose()?;
        let config_of = |t: &Option<Rc<RawTree>>| {
            t.as_ref().and_then(|t| tree_find(&t.data, CONFIG_FILE.as_bytes())).map(|e| e.id())
        };
        let mut problems = Vec::new();
        let shown = |rel: &str| format!("{}/{rel}", self.git.shown.display()).trim_start_matches("./").to_string();
        if config_of(&old_tree) != config_of(&new_tree) || new_tree.is_none() {
            // New settings can change what every file means: read the whole tree again.
            let new = self.build(tree_c, Some(commit))?;
            if let Some(t) = tree_c
                && let (_, Some(e)) = self.git.config(t, "")?
            {
                problems.push(Problem { path: shown("pm.yaml"), message: e.to_string() });
            }
            for (rel, msg) in &new.broken {
                if snap.broken.get(rel) != Some(msg) {
                    problems.push(Problem { path: shown(rel), message: msg.clone() });
                }
            }
            let changes = changes::compare(&snap, &new);
            let order = OrderEdit::between(0, &snap.backlog.ids, &new.backlog.ids);
            return Ok((new, changes, problems, order));
        }
        if let Some(t) = tree_c {
            self.use_config(t)?;
        }
        let mut deltas = Vec::new();
        diff_trees(git, &mut self.trees, old_tree.as_deref(), new_tree.as_deref(), "", &mut deltas, &mut diff)?;
        // The files of each ID a delta touches, as they were (the item's first).
        let mut before: BTreeMap<ItemId, Vec<Rc<ItemState>>> = BTreeMap::new();
        let mut backlog_edit = None;
        let mut roadmap_changed = false;
        // The lists as they were, taken (not copied) when a delta first touches them.
        let mut old_lists = Snapshot::default();
        let mut gone: Vec<(String, ItemId)> = Vec::new();
        for (path, old_blob, new_blob) in deltas {
            let old_path = old_blob.map(|_| path.clone());
            let new_file = new_blob.map(|oid| (path.clone(), oid));
            let mut removed = None;
            if let Some(p) = &old_path {
                match role(p) {
                    Role::Item { .. } => {
                        if let Some(id) = snap.paths.get(p) {
                            before
                                .entry(id.clone())
                                .or_insert_with(|| snap.files_of(id).into_iter().cloned().collect());
                        }
                        if new_blob.is_none()
                            && let Some(id) = snap.paths.get(p)
                        {
                            gone.push((p.clone(), id.clone()));
                        }
                        removed = snap.remove_path(p);
                        snap.broken.remove(p);
                    }
                    // A changed backlog is read below, against the old one.
                    Role::Backlog if new_blob.is_none() => backlog_edit = Some(snap.backlog.update(String::new())),
                    Role::Backlog => {}
                    Role::Roadmap => {
                        if !roadmap_changed {
                            old_lists.roadmap = std::mem::take(&mut snap.roadmap);
                        }
                        roadmap_changed = true;
                        snap.roadmap.clear();
                    }
                    Role::Config | Role::Other => {}
                }
            }
            let Some((p, oid)) = new_file else { continue };
            match role(&p) {
                Role::Item { .. } => match self.parse(oid, &p)? {
                    Parsed::Item(s) => {
                        before
                            .entry(s.id.clone())
                            .or_insert_with(|| snap.files_of(&s.id).into_iter().cloned().collect());
                        snap.insert(s);
                    }
                    Parsed::NotItem => {}
                    Parsed::Broken(msg) => {
                        problems.push(Problem { path: shown(&p), message: msg.clone() });
                        if let Some(r) = removed.take() {
                            snap.insert(r);
                        }
                        snap.broken.insert(p, msg);
                    }
                },
                Role::Backlog => backlog_edit = Some(snap.backlog.update(self.git.text(oid)?.unwrap_or_default())),
                Role::Roadmap => {
                    if !roadmap_changed {
                        old_lists.roadmap = std::mem::take(&mut snap.roadmap);
                    }
                    roadmap_changed = true;
                    snap.set_roadmap(&self.git.text(oid)?.unwrap_or_default());
                }
                Role::Config | Role::Other => {}
            }
        }
        let mut out = Vec::new();
        for (id, was) in &before {
            let (old, new) = (was.first(), snap.items.get(id));
            if new.is_none() && old.is_some_and(|o| snap.broken.contains_key(&o.path)) {
                continue;
            }
            // An ID two files carry: its files are compared file by file.
            let now = snap.files_of(id);
            if was.len() > 1 || now.len() > 1 {
                let was: Vec<&ItemState> = was.iter().map(|s| s.as_ref()).collect();
                let now: Vec<&ItemState> = now.iter().map(|s| s.as_ref()).collect();
                changes::compare_files(&was, &now, &mut out);
                continue;
            }
            changes::compare_item(old.map(|s| s.as_ref()), new.map(|s| s.as_ref()), &mut out);
        }
        if backlog_edit.is_some() || roadmap_changed {
            let mut old_view = old_lists;
            for s in before.values().filter_map(|files| files.first()) {
                old_view.items.insert(s.id.clone(), s.clone());
            }
            if let Some(edit) = &backlog_edit {
                changes::compare_backlog_edit(edit, &old_view, &snap, &mut out);
            }
            if roadmap_changed {
                changes::compare_roadmap(&old_view, &snap, &mut out);
            }
        }
        let old_state = |id: &ItemId, path: Option<&str>| {
            let files = before.get(id)?;
            match path {
                None => files.first(),
                Some(p) => files.iter().find(|s| s.path == p),
            }
            .map(|s| s.as_ref())
        };
        let new_state = |id: &ItemId, path: Option<&str>| changes::file_of(&snap, id, path);
        changes::fold_renumbers(&mut out, &old_state, &new_state, &gone);
        changes::sort(&mut out);
        let order = backlog_edit
            .as_ref()
            .and_then(|e| OrderEdit::between(e.head, &e.old, &snap.backlog.ids[e.head..e.head + e.new_len]));
        Ok((snap, out, problems, order))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A raw tree of `(name, is folder, content byte)` entries, in git's order.
    fn raw(entries: &std::collections::BTreeMap<String, (bool, u8)>) -> Rc<RawTree> {
        let mut list: Vec<(&String, &(bool, u8))> = entries.iter().collect();
        fn entry(n: &str, tree: bool) -> TreeEntry<'_> {
            TreeEntry { name: n.as_bytes(), mode: if tree { 0o40000 } else { 0o100644 }, oid: &[0; 20] }
        }
        list.sort_by(|a, b| git_order(&entry(a.0, a.1.0), &entry(b.0, b.1.0)));
        let mut out = Vec::new();
        for (name, &(tree, byte)) in list {
            out.extend_from_slice(if tree { b"40000 " } else { b"100644 " });
            out.extend_from_slice(name.as_bytes());
            out.push(0);
            out.extend_from_slice(&[byte; 20]);
        }
        RawTree::new(Rc::new(out))
    }

    fn tree_map() -> impl Strategy<Value = std::collections::BTreeMap<String, (bool, u8)>> {
        proptest::collection::btree_map("[ab.-]{1,3}", (any::<bool>(), 0u8..4), 0..24)
    }

    type Plain = Vec<(String, Option<(u32, Vec<u8>)>, Option<(u32, Vec<u8>)>)>;

    fn plain(changed: Vec<Changed>) -> Plain {
        let e = |e: Option<TreeEntry>| e.map(|e| (e.mode, e.oid.to_vec()));
        changed.into_iter().map(|(n, x, y)| (n.to_string(), e(x), e(y))).collect()
    }

    proptest! {
        /// Starting from the first differing byte and stopping at the common tail finds the
        /// same changes, and the same entry starts, as walking both trees whole.
        #[test]
        fn skipping_the_common_bytes_finds_the_same_changes(
            old in tree_map(),
            edits in proptest::collection::vec(("[ab.-]{1,3}", proptest::option::of((any::<bool>(), 0u8..4))), 0..5),
        ) {
            let mut new = old.clone();
            for (name, entry) in edits {
                match entry {
                    Some(e) => new.insert(name, e),
                    None => new.remove(&name),
                };
            }
            let (a, b) = (raw(&old), raw(&new));
            let (fast, starts) = changed_entries(&a, &b).expect("well-formed trees");
            // Without the old tree's starts, the walk goes through every entry.
            let unknown = RawTree { data: a.data.clone(), starts: OnceCell::from(None) };
            let (slow, _) = changed_entries(&unknown, &b).expect("well-formed trees");
            prop_assert_eq!(plain(fast), plain(slow));
            let fresh = RawTree::new(b.data.clone());
            prop_assert_eq!(Some(&starts[..]), fresh.starts());
        }
    }
}
