//! Reading the product from git objects: opening the repository the product lives in,
//! resolving revisions and dates, and reading `product/` at a commit from its tree and blobs.
//! Nothing is checked out and no process is spawned.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use git2::{Commit, ObjectType, Oid, Repository, Tree};

use crate::error::{Error, Location, Result};
use crate::history::date;
use crate::history::snapshot::{ItemState, Snapshot, parse_item};
use crate::model::config::Config;
use crate::model::layout::{CONFIG_FILE, Role, role};
use crate::model::listfile::ListFile;
use crate::store::odb::{Data, Odb};
use crate::store::product::{Items, Product, parallel_map};

/// The repository a product lives in, and where in it the product folder is.
pub struct Git {
    pub repo: Repository,
    /// `product/`'s path inside the repository, `/`-separated (`product`, `apps/x/product`).
    pub dir: String,
    /// The working tree's `product/`, for paths of items read from git.
    pub root: PathBuf,
    /// How paths are shown: the product folder relative to the working directory.
    pub shown: PathBuf,
    /// The fast object reader the walks use (libgit2 rebuilds deep delta chains at each read).
    pub odb: RefCell<Odb>,
}

fn hint_not_git() -> &'static str {
    "history needs the product folder to be in a git repository: run `git init` and commit it"
}

impl Git {
    /// Open the repository holding `product`. Not being in one is a usage error with a hint.
    pub fn open(product: &Product) -> Result<Git> {
        let repo = Repository::discover(&product.root).map_err(|_| {
            Error::BadArgument { message: format!("{} is not in a git repository", product.root.display()), hint: None }
                .with_hint(hint_not_git())
        })?;
        let workdir = repo.workdir().ok_or_else(|| {
            Error::bad_argument("the repository is bare").with_hint("run pm in a working tree of the repository")
        })?;
        let workdir = workdir.canonicalize().unwrap_or_else(|_| workdir.to_path_buf());
        let root = product.root.canonicalize().unwrap_or_else(|_| product.root.clone());
        let rel = root.strip_prefix(&workdir).map_err(|_| {
            Error::bad_argument(format!("{} is outside the repository's working tree", root.display()))
                .with_hint(hint_not_git())
        })?;
        let dir = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        let shown = product.shown(&product.root);
        let odb = RefCell::new(Odb::open(&repo));
        Ok(Git { repo, dir, root: product.root.clone(), shown, odb })
    }

    /// The commit HEAD points at; `None` when there are no commits yet.
    pub fn head(&self) -> Result<Option<Commit<'_>>> {
        match self.repo.head() {
            Ok(r) => Ok(Some(r.peel_to_commit().map_err(Error::git)?)),
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch || e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(Error::git(e)),
        }
    }

    /// HEAD, or an error saying there are no commits yet.
    pub fn head_required(&self) -> Result<Commit<'_>> {
        self.head()?.ok_or_else(|| {
            Error::bad_argument("the repository has no commits yet")
                .with_hint("commit the product folder first: git add product && git commit")
        })
    }

    /// Whether HEAD is detached, and the branch name when it is not.
    pub fn branch(&self) -> Option<String> {
        let head = self.repo.head().ok()?;
        if self.repo.head_detached().unwrap_or(false) { None } else { head.shorthand().ok().map(String::from) }
    }

    /// A revision (`main`, `HEAD~3`, a commit ID, a tag) as a commit.
    pub fn resolve(&self, rev: &str) -> Result<Commit<'_>> {
        let obj = self.repo.revparse_single(rev).map_err(|_| {
            Error::bad_argument(format!("unknown revision `{rev}`"))
                .with_hint("give a branch, tag, commit ID or HEAD~N; for a date use YYYY-MM-DD")
        })?;
        obj.peel_to_commit().map_err(|_| Error::bad_argument(format!("`{rev}` does not name a commit")))
    }

    /// A revision or a date. A date means the last commit on HEAD's first-parent history made
    /// at or before it (a whole day counts to its end, in UTC).
    pub fn resolve_at(&self, text: &str) -> Result<Commit<'_>> {
        let Some(when) = date::parse(text) else {
            return self.resolve(text);
        };
        let head = self.head_required()?;
        let mut cur = Some(head);
        while let Some(c) = cur {
            if c.time().seconds() < when.end() {
                return Ok(c);
            }
            cur = c.parents().next();
        }
        Err(Error::bad_argument(format!("no commit at or before {text}"))
            .with_hint("the first commit is later than that date; `git log --reverse` shows it"))
    }

    /// The default base of `pm diff`: the merge-base of HEAD with origin/HEAD, else main,
    /// else master.
    pub fn default_base(&self) -> Result<(Commit<'_>, String)> {
        let head = self.head_required()?;
        for name in ["origin/HEAD", "main", "master", "origin/main", "origin/master"] {
            let Ok(obj) = self.repo.revparse_single(name) else { continue };
            let Ok(other) = obj.peel_to_commit() else { continue };
            let base = self.repo.merge_base(head.id(), other.id()).map_err(Error::git)?;
            return Ok((self.repo.find_commit(base).map_err(Error::git)?, name.to_string()));
        }
        Err(Error::bad_argument("no default branch to compare with (tried origin/HEAD, main, master)")
            .with_hint("name the base: pm diff BASE [HEAD], for example pm diff origin/develop"))
    }

    /// The tree of `product/` at a commit, if it existed then.
    pub fn product_tree(&self, commit: &Commit) -> Result<Option<Oid>> {
        let tree = commit.tree().map_err(Error::git)?;
        if self.dir.is_empty() {
            return Ok(Some(tree.id()));
        }
        match tree.get_path(Path::new(&self.dir)) {
            Ok(e) if e.kind() == Some(ObjectType::Tree) => Ok(Some(e.id())),
            Ok(_) => Ok(None),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(Error::git(e)),
        }
    }

    /// Every blob under a tree with its path relative to the tree, sorted by path.
    pub fn files(&self, tree: &Tree) -> Vec<(String, Oid)> {
        let mut out = Vec::new();
        let _ = tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Blob)
                && let Ok(name) = entry.name()
            {
                out.push((format!("{dir}{name}"), entry.id()));
            }
            git2::TreeWalkResult::Ok
        });
        out.sort();
        out
    }

    /// A blob's text; `None` when it is not UTF-8.
    pub fn text(&self, oid: Oid) -> Result<Option<String>> {
        let blob = self.odb.borrow_mut().blob(&self.repo, oid)?;
        Ok(String::from_utf8(blob.to_vec()).ok())
    }

    /// A tree's raw bytes, for [`crate::store::odb::TreeEntries`].
    pub fn raw_tree(&self, oid: Oid) -> Result<Data> {
        self.odb.borrow_mut().tree(&self.repo, oid)
    }

    /// The settings in `pm.yaml` of a product tree, and the problem if it did not parse.
    pub fn config(&self, tree: &Tree, label: &str) -> (Config, Option<Error>) {
        let Ok(entry) = tree.get_path(Path::new(CONFIG_FILE)) else {
            return (Config::default(), None);
        };
        let shown = self.shown.join(CONFIG_FILE);
        match self.text(entry.id()) {
            Ok(Some(text)) => match Config::parse(&text, &shown) {
                Ok(c) => (c, None),
                Err(e) => (Config::default(), Some(e)),
            },
            _ => {
                (Config::default(), Some(Error::bad_file(Location::file(shown), format!("not UTF-8 text at {label}"))))
            }
        }
    }

    /// Parse one item blob found at `rel`.
    pub fn item(&self, oid: Oid, rel: &str, config: &Config) -> Result<Option<crate::model::item::Item>> {
        match self.text(oid)? {
            Some(text) => parse_item(text, rel, config, &self.root, &self.shown),
            None => Err(Error::bad_file(Location::file(self.shown.join(rel)), "not UTF-8 text")),
        }
    }

    /// The product at a commit, as the listing commands use it: a product with that commit's
    /// settings, its items (bad files left out, their errors returned), backlog and roadmap.
    pub fn state_at(&self, product: &Product, commit: &Commit, label: &str) -> Result<StateAt> {
        let tree_id = self.product_tree(commit)?.ok_or_else(|| {
            Error::bad_argument(format!("{} did not exist at {label}", self.shown.display()))
                .with_hint("the product folder was created later; pick a later revision or date")
        })?;
        let tree = self.repo.find_tree(tree_id).map_err(Error::git)?;
        let (config, config_error) = self.config(&tree, label);
        let mut errors: Vec<Error> = config_error.into_iter().collect();
        let mut all = Vec::new();
        let mut backlog = ListFile::parse("");
        let mut roadmap = ListFile::parse("");
        for (rel, oid) in self.files(&tree) {
            match role(&rel) {
                Role::Backlog => backlog = ListFile::parse(&self.text(oid)?.unwrap_or_default()),
                Role::Roadmap => roadmap = ListFile::parse(&self.text(oid)?.unwrap_or_default()),
                Role::Item { .. } => match self.item(oid, &rel, &config) {
                    Ok(Some(item)) => all.push(item),
                    Ok(None) => {}
                    Err(e) => errors.push(e),
                },
                Role::Config | Role::Other => {}
            }
        }
        let items = Items::new(all);
        let product = Product::with_config(product.root.clone(), product.cwd.clone(), config);
        Ok(StateAt { product, items, backlog, roadmap, errors, commit: commit.id() })
    }

    /// A snapshot of the product at a commit (empty when `product/` did not exist).
    pub fn snapshot_at(&self, commit: &Commit) -> Result<Snapshot> {
        self.snapshot_with(commit, &mut Parses::default())
    }

    /// A snapshot at a commit, reusing (and adding to) the parses of earlier snapshots: an
    /// item file with the same blob, path and settings is parsed once across them.
    pub fn snapshot_with(&self, commit: &Commit, parses: &mut Parses) -> Result<Snapshot> {
        let mut snap = Snapshot::default();
        let Some(tree_id) = self.product_tree(commit)? else {
            return Ok(snap);
        };
        let tree = self.repo.find_tree(tree_id).map_err(Error::git)?;
        let (config, _) = self.config(&tree, "");
        let config_blob = tree.get_path(Path::new(CONFIG_FILE)).ok().map(|e| e.id());
        let files = self.files(&tree);
        // Read the item files not parsed yet, then parse them on every core.
        // A blob that cannot be read marks its file broken at this commit, as a bad parse does.
        let mut todo: Vec<(usize, Result<Option<String>>)> = Vec::new();
        for (i, (rel, oid)) in files.iter().enumerate() {
            if matches!(role(rel), Role::Item { .. }) && !parses.contains_key(&(config_blob, *oid, rel.clone())) {
                todo.push((i, self.text(*oid)));
            }
        }
        let (root, shown) = (&self.root, &self.shown);
        let parsed = parallel_map(&todo, |(i, text)| {
            let rel = &files[*i].0;
            let item = match text {
                Ok(Some(text)) => parse_item(text.clone(), rel, &config, root, shown),
                Ok(None) => Err(Error::bad_file(Location::file(shown.join(rel)), "not UTF-8 text")),
                Err(e) => Err(Error::bad_file(Location::file(shown.join(rel)), e.to_string())),
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
        if let Error::BadFile { location, .. } = &e {
            let abs = product.cwd.join(&location.path);
            snap.broken.insert(product.rel(&abs), e.to_string());
        }
    }
    snap.set_backlog(&product.read_list(&product.backlog_path())?.text());
    snap.set_roadmap(&product.read_list(&product.roadmap_path())?.text());
    Ok(snap)
}
