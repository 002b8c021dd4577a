//! Reading the product's history snapshots from the [`Repo`]: the settings, the items and the
//! lists of `product/` at a commit, parsed as the working-tree loader parses them.

use git2::{Commit, Oid};

use crate::error::{Error, Location, Result};
use crate::history::snapshot::{ItemState, Snapshot, parse_item};
use crate::model::config::Config;
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
        let parsed = parallel_map(&todo, |(i, text)| {
            let rel = &files[*i].0;
            let item = match text {
                Some(text) => parse_item(text.clone(), rel, &config, root, shown),
                None => Err(Error::bad_file(Location::file(shown.join(rel)), "not UTF-8 text")),
            };
            item.map(|i| i.map(|i| ItemState::from_item(&i))).map_err(|e| e.to_string())
        });
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
