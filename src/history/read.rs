//! Reading the product's history snapshots from the [`Repo`]: the settings, the items and the
//! lists of `product/` at a commit, parsed as the working-tree loader parses them.

use git2::{Commit, Oid};

use crate::error::{Error, Location, Result};
use crate::history::snapshot::{ItemState, Snapshot, parse_item};
use crate::model::config::Config;
use crate::model::id::ItemId;
use crate::model::layout::{CONFIG_FILE, Role, role};
use crate::model::listfile::ListFile;
use crate::store::product::{Items, Product, parallel_map};
use crate::store::repo::Repo;

/// Reading snapshots from a repository.
pub trait ReadProduct {
    /// The settings in `pm.yaml` of a product tree, and the problem if it did not parse.
    fn config(&self, tree: Oid, label: &str) -> Result<(Config, Option<Error>)>;
    /// Parse one item blob found at `rel`.
    fn item(&self, oid: Oid, rel: &str, config: &Config) -> Result<Option<crate::model::item::Item>>;
    /// The product at a commit, as the listing commands use it.
    fn state_at(&self, product: &Product, commit: &Commit, label: &str) -> Result<StateAt>;
    /// A snapshot of the product at a commit (empty when `product/` did not exist).
    fn snapshot_at(&self, commit: &Commit) -> Result<Snapshot>;
    /// A snapshot at a commit, reusing (and adding to) the parses of earlier snapshots.
    fn snapshot_with(&self, commit: &Commit, parses: &mut Parses) -> Result<Snapshot>;
}

impl ReadProduct for Repo {
    fn config(&self, tree: Oid, label: &str) -> Result<(Config, Option<Error>)> {
        let Some(blob) = self.blob_at(tree, CONFIG_FILE)? else {
            return Ok((Config::default(), None));
        };
        let shown = self.shown.join(CONFIG_FILE);
        Ok(match self.text(blob)? {
            Some(text) => match Config::parse(&text, &shown) {
                Ok(c) => (c, None),
                Err(e) => (Config::default(), Some(e)),
            },
            None => {
                (Config::default(), Some(Error::bad_file(Location::file(shown), format!("not UTF-8 text at {label}"))))
            }
        })
    }

    fn item(&self, oid: Oid, rel: &str, config: &Config) -> Result<Option<crate::model::item::Item>> {
        match self.text(oid)? {
            Some(text) => parse_item(text, rel, config, &self.root, &self.shown),
            None => Err(Error::bad_file(Location::file(self.shown.join(rel)), "not UTF-8 text")),
        }
    }

    /// A product with that commit's settings, its items (bad files left out, their errors
    /// returned), backlog and roadmap.
    fn state_at(&self, product: &Product, commit: &Commit, label: &str) -> Result<StateAt> {
        let tree_id = self.product_tree(commit)?.ok_or_else(|| {
            Error::bad_argument(format!("{} did not exist at {label}", self.shown.display()))
                .with_hint("the product folder was created later; pick a later revision or date")
        })?;
        let (config, config_error) = self.config(tree_id, label)?;
        let mut errors: Vec<Error> = config_error.into_iter().collect();
        let mut all = Vec::new();
        let mut backlog = ListFile::parse("");
        let mut roadmap = ListFile::parse("");
        for (rel, oid) in self.files(tree_id)? {
            match role(&rel) {
                Role::Backlog => backlog = ListFile::parse(&self.text(oid)?.unwrap_or_default()),
                Role::Roadmap => roadmap = ListFile::parse(&self.text(oid)?.unwrap_or_default()),
                Role::Item { .. } => match self.item(oid, &rel, &config) {
                    Ok(Some(item)) => all.push(item),
                    Ok(None) => {}
                    Err(e @ Error::Damaged { .. }) => return Err(e),
                    Err(e) => errors.push(e),
                },
                Role::Config | Role::Other => {}
            }
        }
        let items = Items::new(all);
        let product = Product::with_config(product.root.clone(), product.cwd.clone(), config);
        Ok(StateAt { product, items, backlog, roadmap, errors, commit: commit.id() })
    }

    fn snapshot_at(&self, commit: &Commit) -> Result<Snapshot> {
        self.snapshot_with(commit, &mut Parses::default())
    }

    /// An item file with the same blob, path and settings is parsed once across snapshots.
    fn snapshot_with(&self, commit: &Commit, parses: &mut Parses) -> Result<Snapshot> {
        let mut snap = Snapshot::default();
        let Some(tree_id) = self.product_tree(commit)? else {
            return Ok(snap);
        };
        let (config, _) = self.config(tree_id, "")?;
        let config_blob = self.blob_at(tree_id, CONFIG_FILE)?;
        let files = self.files(tree_id)?;
        // Read the item files not parsed yet, then parse them on every core.
        // A blob that cannot be read is an error (the repository is damaged), not a bad file.
        let mut todo: Vec<(usize, Option<String>)> = Vec::new();
        for (i, (rel, oid)) in files.iter().enumerate() {
            if matches!(role(rel), Role::Item { .. }) && !parses.contains_key(&(config_blob, *oid, rel.clone())) {
                todo.push((i, self.text(*oid)?));
            }
        }
        let (root, shown) = (&self.root, &self.shown);
        let parsed = parallel_map(&todo, |(i, text)| state_of(text.as_ref(), &files[*i].0, &config, (root, shown)));
        for ((i, _), p) in todo.iter().zip(parsed) {
            let (rel, oid) = &files[*i];
            parses.insert((config_blob, *oid, rel.clone()), p.map(|s| s.map(std::rc::Rc::new)));
        }
        for (rel, oid) in files {
            match role(&rel) {
                Role::Backlog => snap.set_backlog(&self.text(oid)?.unwrap_or_default()),
                Role::Roadmap => snap.set_roadmap(&self.text(oid)?.unwrap_or_default()),
                Role::Item { .. } => match parses.get(&(config_blob, oid, rel.clone())) {
                    Some(Ok(Some(state))) => snap.insert(state.clone()),
                    Some(Ok(None)) | None => {}
                    Some(Err(msg)) => {
                        snap.broken.insert(rel, msg.clone());
                    }
                },
                Role::Config | Role::Other => {}
            }
        }
        Ok(snap)
    }
}

/// What the item file at `rel` holds, as a snapshot keeps it: its state, `None` when it holds
/// no item, or why it cannot be read (`text` is `None` when it is not UTF-8).
fn state_of(
    text: Option<&String>,
    rel: &str,
    config: &Config,
    (root, shown): (&std::path::Path, &std::path::Path),
) -> std::result::Result<Option<ItemState>, String> {
    let item = match text {
        Some(text) => parse_item(text.clone(), rel, config, root, shown),
        None => Err(Error::bad_file(Location::file(shown.join(rel)), "not UTF-8 text")),
    };
    item.map(|i| i.map(|i| ItemState::from_item(&i))).map_err(|e| e.to_string())
}

/// The two snapshots of the product at two commits that [`compare`](crate::history::changes::compare)
/// needs to tell what changed between them, read from what differs: the two `product/` trees
/// are compared first (equal subtrees are not entered), and only the item files that differ
/// are parsed, with the lists. Each snapshot also holds the unchanged files (the same in
/// both) that a comparison looks at: those of the IDs the changed files carry and of the
/// items the lists moved (their titles and paths; two files that carry one ID are compared
/// file by file), found by their names, as `pm fmt` names files (`S-12-title.md`); files whose
/// names do not start with an ID are read too. So the cost follows the size of the change,
/// not of the product. The one thing taken on trust is that an unchanged file named after
/// an ID carries that ID (`pm check` says so, as `id/filename-mismatch`, when it does not).
///
/// When the settings differ (they change how every item reads), or the product folder is
/// missing on one side, both snapshots are read whole.
pub fn snapshots_between(git: &Repo, old: &Commit, new: &Commit) -> Result<(Snapshot, Snapshot)> {
    use crate::history::changes::{Change, compare_backlog, compare_roadmap};
    use std::collections::HashSet;
    let trees = match (git.product_tree(old)?, git.product_tree(new)?) {
        (Some(a), Some(b)) if git.blob_at(a, CONFIG_FILE)? == git.blob_at(b, CONFIG_FILE)? => Some((a, b)),
        _ => None,
    };
    let Some((a, b)) = trees else {
        let mut parses = Parses::default();
        return Ok((git.snapshot_with(old, &mut parses)?, git.snapshot_with(new, &mut parses)?));
    };
    let (config, _) = git.config(b, "")?;
    let (changed, read) = crate::history::walk::changed_files(git, a, b)?;
    let (mut was, mut now) = (Snapshot::default(), Snapshot::default());
    for (snap, tree) in [(&mut was, a), (&mut now, b)] {
        if let Some(oid) = git.blob_at(tree, crate::model::layout::BACKLOG_FILE)? {
            snap.set_backlog(&git.text(oid)?.unwrap_or_default());
        }
        if let Some(oid) = git.blob_at(tree, crate::model::layout::ROADMAP_FILE)? {
            snap.set_roadmap(&git.text(oid)?.unwrap_or_default());
        }
    }
    let items = |rel: &str| matches!(role(rel), Role::Item { .. });
    // Each side's changed item files, read and then parsed on every core.
    let mut todo: Vec<(bool, String, Option<String>)> = Vec::new();
    for (rel, x, y) in changed.iter().filter(|(rel, ..)| items(rel)) {
        for (side, oid) in [(false, x), (true, y)] {
            if let Some(oid) = oid {
                todo.push((side, rel.clone(), git.text(*oid)?));
            }
        }
    }
    let (root, shown) = (git.root.as_path(), git.shown.as_path());
    let parsed = parallel_map(&todo, |(_, rel, text)| state_of(text.as_ref(), rel, &config, (root, shown)));
    // The IDs whose unchanged files a comparison looks at.
    let mut wanted: HashSet<String> = HashSet::new();
    for ((side, rel, _), p) in todo.into_iter().zip(parsed) {
        let snap = if side { &mut now } else { &mut was };
        match p {
            Ok(Some(state)) => {
                wanted.insert(state.id.to_string());
                snap.insert(std::rc::Rc::new(state));
            }
            Ok(None) => {}
            Err(message) => {
                snap.broken.insert(rel, message);
            }
        }
    }
    let mut moved: Vec<Change> = Vec::new();
    compare_backlog(&was, &now, &mut moved);
    compare_roadmap(&was, &now, &mut moved);
    wanted.extend(moved.into_iter().map(|c| c.id));
    // Unchanged files that may carry those IDs: named after one, or after none.
    let changed_paths: HashSet<&str> = changed.iter().map(|(rel, ..)| rel.as_str()).collect();
    let named = |name: &str| ItemId::from_file_name(name).is_none_or(|id| wanted.contains(&id.to_string()));
    let unchanged: Vec<(String, Option<String>)> = (git.files_named(b, &named, read)?.into_iter())
        .filter(|(rel, _)| items(rel) && !changed_paths.contains(rel.as_str()))
        .map(|(rel, oid)| Ok((rel, git.text(oid)?)))
        .collect::<Result<_>>()?;
    let parsed = parallel_map(&unchanged, |(rel, text)| state_of(text.as_ref(), rel, &config, (root, shown)));
    for ((rel, _), p) in unchanged.into_iter().zip(parsed) {
        match p {
            Ok(Some(state)) => {
                let state = std::rc::Rc::new(state);
                was.insert(state.clone());
                now.insert(state);
            }
            Ok(None) => {}
            Err(message) => {
                was.broken.insert(rel.clone(), message.clone());
                now.broken.insert(rel, message);
            }
        }
    }
    Ok((was, now))
}

/// Item parses shared between snapshots: by the settings' blob, the item's blob and its path,
/// the item's state or the message of why it could not be read.
pub type Parses =
    std::collections::HashMap<(Option<Oid>, Oid, String), std::result::Result<Option<std::rc::Rc<ItemState>>, String>>;

/// The product as it was at a commit.
pub struct StateAt {
    pub product: Product,
    pub items: Items,
    pub backlog: ListFile,
    pub roadmap: ListFile,
    /// Files that could not be read at that commit (left out of `items`).
    pub errors: Vec<Error>,
    pub commit: Oid,
}

/// A snapshot of the working tree's product folder (bad files are recorded as broken).
pub fn snapshot_worktree(product: &Product) -> Result<Snapshot> {
    let mut snap = Snapshot::default();
    let (items, errors) = product.load_all_lenient();
    for item in &items.all {
        snap.insert(std::rc::Rc::new(ItemState::from_item(item)));
    }
    for e in errors {
        // A file that does not parse, and one pm may not read (its permissions), is broken: not
        // deleted, which `pm diff` would tell a reviewer.
        let path = match &e {
            Error::BadFile { location, .. } => Some(product.cwd.join(&location.path)),
            Error::Io { path, .. } if path.is_file() => Some(product.cwd.join(path)),
            _ => None,
        };
        if let Some(abs) = path {
            snap.broken.insert(product.rel(&abs), e.to_string());
        }
    }
    snap.set_backlog(&product.read_list(&product.backlog_path())?.text());
    snap.set_roadmap(&product.read_list(&product.roadmap_path())?.text());
    Ok(snap)
}

/// What the working tree's item files change against commit `head`, by ID as everywhere in
/// the history: each file whose bytes differ from its blob there is compared with the item's
/// version there, found at the same path or, for a file moved or renamed, among the files of
/// `head` no longer in the working tree (only those are parsed). The cost follows the number of
/// edited files, plus hashing the files to find them.
pub fn uncommitted(
    repo: &Repo,
    head: Oid,
    items: &Items,
    config: &Config,
) -> Result<Vec<crate::history::changes::Change>> {
    use std::collections::{HashMap, HashSet};
    let at_head: HashMap<String, Oid> = repo.file_ids_at(head)?.into_iter().collect();
    let parse = |oid: Oid, rel: &str| -> Result<Option<ItemState>> {
        match repo.item(oid, rel, config) {
            Ok(i) => Ok(i.map(|i| ItemState::from_item(&i))),
            Err(e @ Error::Damaged { .. }) => Err(e),
            Err(_) => Ok(None),
        }
    };
    let mut edited = Vec::new();
    for item in &items.all {
        let oid = Oid::hash_object(git2::ObjectType::Blob, item.text.as_bytes()).map_err(Error::git)?;
        if at_head.get(&item.rel) != Some(&oid) {
            edited.push(item);
        }
    }
    if edited.is_empty() {
        return Ok(Vec::new());
    }
    // Files of HEAD the working tree no longer has: where moved items were.
    let here: HashSet<&str> = items.all.iter().map(|i| i.rel.as_str()).collect();
    let mut moved: HashMap<String, ItemState> = HashMap::new();
    if edited.iter().any(|i| !at_head.contains_key(&i.rel)) {
        for (rel, oid) in &at_head {
            if matches!(role(rel), Role::Item { .. })
                && !here.contains(rel.as_str())
                && let Some(state) = parse(*oid, rel)?
            {
                moved.insert(state.id.to_string(), state);
            }
        }
    }
    let mut out = Vec::new();
    let mut new_states: HashMap<String, ItemState> = HashMap::new();
    for item in edited {
        let old = match at_head.get(&item.rel) {
            Some(o) => parse(*o, &item.rel)?,
            None => moved.get(&item.id.to_string()).cloned(),
        };
        let state = ItemState::from_item(item);
        crate::history::changes::compare_item(old.as_ref(), Some(&state), &mut out);
        new_states.insert(state.id.to_string(), state);
    }
    // The moved-away files whose ID no item here carries were deleted, or renumbered (`pm
    // renumber` not yet committed): told as the history tells a commit's.
    let gone: Vec<&ItemState> = moved.values().filter(|s| items.get(&s.id.to_string()).is_none()).collect();
    if !gone.is_empty() {
        for state in &gone {
            crate::history::changes::compare_item(Some(state), None, &mut out);
        }
        let gone_ids: Vec<(String, crate::model::id::ItemId)> =
            gone.iter().map(|s| (s.path.clone(), s.id.clone())).collect();
        let old_side = |id: &crate::model::id::ItemId, _: Option<&str>| moved.get(&id.to_string());
        let new_side = |id: &crate::model::id::ItemId, _: Option<&str>| new_states.get(&id.to_string());
        crate::history::changes::fold_renumbers(&mut out, &old_side, &new_side, &gone_ids);
    }
    Ok(out)
}
