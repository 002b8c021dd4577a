//! The one way to read the product from git: [`Repo`] finds the repository once, knows where
//! `product/` is in it, resolves revisions and dates, lists branch tips, and reads the
//! product's trees and blobs at any commit.
//!
//! Every command that reads git goes through it: `pm check --rev` and `--changed-since`,
//! `pm history`, `pm diff`, `--at`, and the branch scan of new IDs. References are read with
//! libgit2; objects with [`Odb`], which keeps what it rebuilt from deltas (the reason
//! `pm history` is faster than `git log`, docs/benchmarks.md) and refuses damaged objects with
//! an error that names them and points at `git fsck`: an object that cannot be read is never
//! taken for a missing one. Revisions (`main~3`, `v1^{commit}`), merge-bases and the walks over
//! commits are read through it too. libgit2 still gives a commit's author and message, and
//! reads the forms of revision this module does not: only after [`Odb`] read that object, and
//! after every pack index was checked ([`Odb::check_packs`]), because libgit2 crashes on some
//! damaged packs and loops on some damaged loose objects. A loop among commits or a tree nested
//! past [`MAX_TREE_DEPTH`] (objects that do not match their IDs) is an error, never a hang.
//! Nothing is checked out and no process is spawned.

use std::cell::{OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use git2::{Commit, Oid, Repository};

use crate::error::{Error, Result, is_damage};
use crate::model::date;
use crate::model::layout::{self, PRODUCT_DIR};
use crate::store::files::Files;
use crate::store::odb::{self, Data, Odb, TreeEntries, tree_find};
use crate::store::product::{Product, slash_path};

/// A git repository holding a product, and where in it the product folder is.
pub struct Repo {
    git: Repository,
    /// The working tree's root, canonical.
    workdir: PathBuf,
    /// `product/`'s path inside the repository, `/`-separated (`product`, `apps/x/product`).
    pub dir: String,
    /// The working tree's `product/`, for paths of items read from git.
    pub root: PathBuf,
    /// How paths are shown: the product folder relative to the working directory.
    pub shown: PathBuf,
    odb: RefCell<Odb>,
    /// The parents git puts in place of a commit's own: `info/grafts`, and none for each
    /// commit of `shallow` (where a shallow clone's history stops). libgit2 honours both, so
    /// the first-parent line read here does too. Only first parents are kept.
    grafts: OnceCell<Grafts>,
}

/// How to get the history a shallow clone does not have.
pub const UNSHALLOW_HINT: &str =
    "fetch the full history: `git fetch --unshallow`; in CI, e.g. actions/checkout with fetch-depth: 0";

/// How many objects an unknown revision's search for damage reads at most: the commits near
/// the references, where `HEAD^2` or `main~3` lead, without walking a huge history on a typo.
const UNKNOWN_SEARCH: usize = 10_000;

/// What a revision names, as [`Repo::own_lookup`] reads it.
enum Own {
    Commit(Oid),
    Unknown,
    NotCommit,
}

/// The most tags followed from one to the next to reach a commit.
const MAX_TAG_CHAIN: usize = 64;

/// The most folders one inside another that a tree read from git may have: deeper is damage
/// (or a hostile repository), refused before the walk can overflow the stack.
pub const MAX_TREE_DEPTH: usize = 256;

/// The most files and folders one walk of the product folder's trees may visit. Trees that
/// name the same subtree twice at every level double at each one (22 levels in 452 KB are four
/// million paths); a product of 100,000 stories is a tenth of this.
pub const MAX_TREE_ENTRIES: usize = 1_000_000;

/// What a revision names.
enum Rev<'r> {
    Commit(Commit<'r>),
    Unknown,
    NotCommit,
}

/// A commit of [`Repo::graph`].
#[derive(Debug, Clone, Copy)]
pub struct GraphCommit {
    pub oid: Oid,
    /// The merge of the first-parent line that brought it (`None` on the line).
    pub via: Option<Oid>,
    /// It has more than one parent.
    pub merge: bool,
}

/// Files of a tree: each path inside it and its blob.
type TreeFiles = Vec<(String, Oid)>;

/// See [`Repo::grafts`].
#[derive(Default)]
struct Grafts {
    first_parent: HashMap<Oid, Option<Oid>>,
    shallow: HashSet<Oid>,
    /// The text of `info/grafts`: what a commit's changes were computed against depends on it.
    text: String,
}

impl Grafts {
    /// Read `info/grafts` and `shallow` from a repository's common folder. Lines that hold no
    /// commit ID (comments, blank lines) are skipped, as git skips them.
    fn read(common_dir: &Path) -> Grafts {
        let ids = |line: &str| line.split_whitespace().map(Oid::from_str).collect::<Result<Vec<_>, _>>().ok();
        let mut out = Grafts::default();
        let text = std::fs::read_to_string(common_dir.join("info").join("grafts")).unwrap_or_default();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            if let Some(ids) = ids(line)
                && let Some((commit, parents)) = ids.split_first()
            {
                out.first_parent.insert(*commit, parents.first().copied());
            }
        }
        out.text = text;
        let text = std::fs::read_to_string(common_dir.join("shallow")).unwrap_or_default();
        for id in text.lines().filter_map(|l| Oid::from_str(l.trim()).ok()) {
            out.shallow.insert(id);
            out.first_parent.insert(id, None);
        }
        out
    }
}

fn hint_not_git() -> &'static str {
    "history needs the product folder to be in a git repository: run `git init` and commit it"
}

/// Where a search for the repository holding a path ended.
enum Found {
    /// A repository with a working tree (its root, canonical).
    WorkTree(Repository, PathBuf),
    Bare,
    /// git refuses the repository: it belongs to another user (`safe.directory`).
    NotOwned,
    None,
}

/// The repository holding `path`: the one place that opens a repository.
fn find(path: &Path) -> Found {
    let git = match Repository::discover(path) {
        Ok(git) => git,
        Err(e) if e.code() == git2::ErrorCode::Owner => return Found::NotOwned,
        Err(_) => return Found::None,
    };
    let Some(workdir) = git.workdir() else { return Found::Bare };
    let workdir = workdir.canonicalize().unwrap_or_else(|_| workdir.to_path_buf());
    Found::WorkTree(git, workdir)
}

/// git's refusal of a repository another user owns, with git's own way out.
fn not_owned(shown: &Path) -> Error {
    Error::bad_argument(format!(
        "git refuses the repository holding {}: it belongs to another user (git's `dubious ownership`)",
        shown.display()
    ))
    .with_hint(
        "run pm as the repository's owner, or, if you trust it: git config --global --add safe.directory <its folder>",
    )
}

/// The first `parent` of a raw commit: `None` for a root commit, an error when a header that
/// must hold an ID does not.
fn first_parent(raw: &[u8]) -> Option<Result<Oid, ()>> {
    for line in raw.split(|&b| b == b'\n') {
        if line.is_empty() {
            return None; // the end of the headers
        }
        if let Some(hex) = line.strip_prefix(b"parent ") {
            return Some(std::str::from_utf8(hex).ok().and_then(|h| Oid::from_str(h).ok()).ok_or(()));
        }
        if !line.starts_with(b"tree ") {
            return None; // parents come right after the tree
        }
    }
    None
}

/// When a raw commit was committed, in seconds since the epoch: the time of its `committer`
/// header, as `git log --before` reads it.
fn committer_time(raw: &[u8]) -> Option<i64> {
    let line = headers(raw).find_map(|l| l.strip_prefix(b"committer "))?;
    let line = std::str::from_utf8(line).ok()?;
    let mut fields = line.rsplitn(3, ' ');
    let (_offset, seconds) = (fields.next()?, fields.next()?);
    seconds.parse().ok()
}

/// The header lines of a raw commit or tag (up to the blank line before the message).
fn headers(raw: &[u8]) -> impl Iterator<Item = &[u8]> {
    raw.split(|&b| b == b'\n').take_while(|l| !l.is_empty())
}

/// An object ID written in hex in a header.
fn hex_id(hex: &[u8]) -> Option<Oid> {
    std::str::from_utf8(hex).ok().filter(|h| h.len() == 40).and_then(|h| Oid::from_str(h).ok())
}

/// The error for a commit or tag whose headers do not parse.
fn malformed(kind: &str, oid: Oid) -> Error {
    Error::Damaged { message: format!("{kind} {oid} is malformed: the repository is damaged") }
}

/// The error for a tree nested deeper than [`MAX_TREE_DEPTH`] (a tree that holds itself, in
/// a repository whose objects do not match their IDs, is one).
pub fn too_deep(tree: Oid, dir: &str) -> Error {
    Error::Damaged {
        message: format!(
            "tree {tree} under {dir}/ is nested more than {MAX_TREE_DEPTH} folders deep: the repository is damaged or hostile"
        ),
    }
}

/// One walk of [`Repo::collect`]: the entries it may still visit, the trees it read (a tree
/// named twice is read once), and the symbolic links it saw.
struct Walk<'k> {
    budget: usize,
    trees: HashMap<Oid, Data>,
    links: Vec<String>,
    /// Which file names to list.
    keep: &'k dyn Fn(&str) -> bool,
}

/// The error for trees that hold more than [`MAX_TREE_ENTRIES`] files and folders.
pub fn too_many(tree: Oid, dir: &str) -> Error {
    Error::Damaged {
        message: format!(
            "tree {tree} under {dir}/ holds more than {MAX_TREE_ENTRIES} files and folders (trees that repeat one another): the repository is damaged or hostile"
        ),
    }
}

/// The error for a commit that is its own ancestor: only objects that do not match their IDs
/// can form such a loop.
fn looped(oid: Oid) -> Error {
    Error::Damaged {
        message: format!("commit {oid} is its own ancestor: objects of the repository do not match their IDs"),
    }
}

/// The working tree holding `path` and the repository, if `path` is in a non-bare one.
fn discover(path: &Path) -> Option<(Repository, PathBuf)> {
    match find(path) {
        Found::WorkTree(git, workdir) => Some((git, workdir)),
        Found::Bare | Found::NotOwned | Found::None => None,
    }
}

/// The root of the working tree holding `path`, if it is in one (for showing paths).
pub fn work_tree_of(path: &Path) -> Option<PathBuf> {
    discover(path).map(|(_, w)| w)
}

/// The nearest `.git` above `dir` when it is a file (a worktree's, a submodule's) whose
/// `gitdir:` names a folder that does not exist, for an error that says so: git itself then
/// just finds no repository.
fn dangling_git_file(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let file = dir.ancestors().map(|d| d.join(".git")).find(|g| g.symlink_metadata().is_ok())?;
    let text = std::fs::read_to_string(&file).ok()?;
    let target = Path::new(text.lines().next()?.strip_prefix("gitdir:")?.trim());
    let target = if target.is_absolute() { target.to_path_buf() } else { file.parent()?.join(target) };
    (!target.exists()).then_some((file, target))
}

impl Repo {
    fn new(git: Repository, workdir: PathBuf, dir: String, root: PathBuf, shown: PathBuf) -> Repo {
        let odb = RefCell::new(Odb::open(&git));
        Repo { git, workdir, dir, root, shown, odb, grafts: OnceCell::new() }
    }

    /// Open the repository holding `product`. Not being in one is a usage error with a hint.
    pub fn open(product: &Product) -> Result<Repo> {
        let not_git = || {
            if let Some((file, target)) = dangling_git_file(&product.root) {
                return Error::bad_argument(format!(
                    "{} points to {}, which is not there",
                    product.shown(&file).display(),
                    target.display()
                ))
                .with_hint(
                    "the repository of this worktree or submodule was moved or deleted: fix the `gitdir:` line, or remove the file and run `git init`",
                );
            }
            Error::bad_argument(format!("{} is not in a git repository", product.shown(&product.root).display()))
                .with_hint(hint_not_git())
        };
        let (git, workdir) = match find(&product.root) {
            Found::WorkTree(git, workdir) => (git, workdir),
            Found::Bare => {
                return Err(Error::bad_argument("the repository is bare")
                    .with_hint("run pm in a working tree of the repository"));
            }
            Found::NotOwned => return Err(not_owned(&product.shown(&product.root))),
            Found::None => return Err(not_git()),
        };
        let root = product.root.canonicalize().unwrap_or_else(|_| product.root.clone());
        let rel = root.strip_prefix(&workdir).map_err(|_| {
            Error::bad_argument(format!("{} is outside the repository's working tree", root.display()))
                .with_hint(hint_not_git())
        })?;
        let dir = slash_path(rel);
        Ok(Repo::new(git, workdir, dir, product.root.clone(), product.shown(&product.root)))
    }

    /// The repository holding `product`, or `None` outside one (or in a bare one).
    pub fn discover(product: &Product) -> Option<Repo> {
        let (git, workdir) = discover(&product.root)?;
        let root = product.root.canonicalize().unwrap_or_else(|_| product.root.clone());
        let dir = slash_path(root.strip_prefix(&workdir).ok()?);
        Some(Repo::new(git, workdir, dir, product.root.clone(), product.shown(&product.root)))
    }

    /// The repository holding `cwd`, with the product folder as commit `rev` has it: `product`
    /// in the directory of `cwd` (relative to the working tree) or its nearest parent that has
    /// one. The folder need not exist in the working tree. For `pm check --rev`.
    pub fn at_rev(cwd: &Path, rev: &str) -> Result<(Repo, Oid)> {
        let (git, workdir) = match find(cwd) {
            Found::WorkTree(git, workdir) => (git, workdir),
            Found::NotOwned => return Err(not_owned(cwd)),
            Found::Bare | Found::None => {
                return Err(Error::bad_argument(format!("{} is not in a git repository", cwd.display()))
                    .with_hint("--rev and --changed-since read git history; run pm inside a git repository"));
            }
        };
        let probe = Repo::new(git, workdir, String::new(), PathBuf::new(), PathBuf::new());
        let commit = probe.commit_of(rev)?;
        let tree = probe.commit(commit)?.tree_id();
        let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
        let rel = cwd.strip_prefix(&probe.workdir).map(Path::to_path_buf).unwrap_or_default();
        let mut found = None;
        for dir in rel.ancestors() {
            let candidate = dir.join(PRODUCT_DIR);
            if probe.subtree(tree, &slash_path(&candidate))?.is_some() {
                found = Some(slash_path(&candidate));
                break;
            }
            if dir.file_name().is_some_and(|n| n == PRODUCT_DIR) && probe.subtree(tree, &slash_path(dir))?.is_some() {
                found = Some(slash_path(dir));
                break;
            }
        }
        let dir = found.ok_or_else(|| {
            Error::bad_argument(format!("no product folder in {rev}"))
                .with_hint("the commit must hold a `product/` folder in this directory or a parent")
        })?;
        let root = probe.workdir.join(&dir);
        Ok((Repo { dir, root, ..probe }, commit))
    }

    /// The libgit2 repository, for walks over commits.
    pub fn git(&self) -> &Repository {
        &self.git
    }

    /// The directory shared by all working trees (`.git`), where caches are kept.
    pub fn common_dir(&self) -> &Path {
        self.git.commondir()
    }

    /// The commit HEAD points at; `None` when there are no commits yet.
    pub fn head(&self) -> Result<Option<Commit<'_>>> {
        match self.git.head() {
            // Not `peel_to_commit`, whose error for an object it cannot read does not say so.
            Ok(r) => match r.resolve().ok().and_then(|r| r.target()) {
                Some(oid) => Ok(Some(self.commit(oid)?)),
                None => {
                    self.lib()?;
                    Ok(Some(r.peel_to_commit().map_err(|e| self.git_error(e, &[]))?))
                }
            },
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch || e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(self.git_error(e, &[])),
        }
    }

    /// HEAD, or an error saying there are no commits yet.
    pub fn head_required(&self) -> Result<Commit<'_>> {
        self.head()?.ok_or_else(|| {
            Error::bad_argument("the repository has no commits yet")
                .with_hint("commit the product folder first: git add product && git commit")
        })
    }

    /// The branch HEAD is on; `None` when HEAD is detached.
    pub fn branch(&self) -> Option<String> {
        let head = self.git.head().ok()?;
        if self.git.head_detached().unwrap_or(false) { None } else { head.shorthand().ok().map(String::from) }
    }

    /// What a revision names: a commit, nothing, or an object that is not a commit. Damage met
    /// on the way is an error naming the object.
    fn lookup(&self, rev: &str) -> Result<Rev<'_>> {
        if let Some(found) = self.own_lookup(rev)? {
            return Ok(match found {
                Own::Commit(oid) => Rev::Commit(self.commit(oid)?),
                Own::Unknown => Rev::Unknown,
                Own::NotCommit => Rev::NotCommit,
            });
        }
        let typed = Oid::from_str(rev).ok().filter(|_| rev.len() == 40);
        let object = match self.lib()?.revparse_single(rev) {
            Ok(object) => object,
            Err(e) if is_damage(&e) => return Err(self.damaged(e, typed.as_slice())),
            // libgit2 reports some objects it cannot read as names that name nothing (`HEAD^2`
            // whose commit cannot be read): look for damage near the references first.
            Err(_) => match self.find_damage_within(typed.as_slice(), UNKNOWN_SEARCH) {
                Some(named) => return Err(named),
                None => return Ok(Rev::Unknown),
            },
        };
        match object.peel_to_commit() {
            Ok(commit) => Ok(Rev::Commit(commit)),
            Err(e) if is_damage(&e) => Err(self.damaged(e, &[object.id()])),
            Err(_) => Ok(Rev::NotCommit),
        }
    }

    /// libgit2, for what reads objects through it: first, once, the check that no pack index
    /// points outside its pack ([`Odb::check_packs`]), on which libgit2 crashes.
    fn lib(&self) -> Result<&Repository> {
        self.odb.borrow_mut().check_packs()?;
        Ok(&self.git)
    }

    /// A revision read by the pack reader, so that libgit2 never meets a damaged object on
    /// the way (it crashes on some, and loops on a truncated loose one, libgit2#7342): a
    /// reference (`main`, `origin/main`, `v1`, `HEAD`, `@`), a full or abbreviated commit ID
    /// or `git describe` output, then any of `~N`, `^N`, `^{commit}`, `^{}`. `None` for other
    /// forms (`@{1}`, `:/text`, `^{/text}`) and with `info/grafts`: those go to libgit2.
    fn own_lookup(&self, rev: &str) -> Result<Option<Own>> {
        if !self.grafts().text.is_empty() {
            return Ok(None);
        }
        let (base, mut rest) = rev.split_at(rev.find(['~', '^']).unwrap_or(rev.len()));
        if base.is_empty() || base.contains("@{") || base.contains(':') {
            return Ok(None);
        }
        let Some(mut cur) = self.name_to_id(if base == "@" { "HEAD" } else { base })? else {
            return Ok(Some(Own::Unknown));
        };
        while !rest.is_empty() {
            let (step, count, after) = if let Some(after) = rest.strip_prefix("^{commit}") {
                ('p', 0, after)
            } else if let Some(after) = rest.strip_prefix("^{}") {
                ('p', 0, after)
            } else if rest.starts_with("^{") {
                return Ok(None); // `^{tree}`, `^{/text}`: libgit2's
            } else if let Some(after) = rest.strip_prefix('^').or_else(|| rest.strip_prefix('~')) {
                let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let count = if digits == 0 {
                    1
                } else {
                    match after[..digits].parse::<usize>() {
                        Ok(n) => n,
                        Err(_) => return Ok(Some(Own::Unknown)),
                    }
                };
                (rest.as_bytes()[0] as char, count, &after[digits..])
            } else {
                return Ok(None); // `^{tree}`, `^{/text}`, ...
            };
            let Some(commit) = self.peel(cur)? else { return Ok(Some(Own::NotCommit)) };
            cur = commit;
            match step {
                '^' if count > 0 => match self.parent_ids(cur)?.get(count - 1) {
                    Some(p) => cur = *p,
                    None => return Ok(Some(Own::Unknown)),
                },
                '~' => {
                    let mut seen = HashSet::new();
                    for _ in 0..count {
                        if !seen.insert(cur) {
                            return Err(looped(cur));
                        }
                        match self.parent_ids(cur)?.first() {
                            Some(p) => cur = *p,
                            None => return Ok(Some(Own::Unknown)),
                        }
                    }
                }
                _ => {}
            }
            rest = after;
        }
        Ok(Some(match self.peel(cur)? {
            Some(commit) => Own::Commit(commit),
            None => Own::NotCommit,
        }))
    }

    /// The object a name gives, in libgit2's order: a full ID, a reference, an abbreviated ID,
    /// `git describe` output (`v1.2-3-gabc1234`). `None`: it names nothing.
    fn name_to_id(&self, name: &str) -> Result<Option<Oid>> {
        let hex = |s: &str| s.len() >= 4 && s.len() <= 40 && s.bytes().all(|b| b.is_ascii_hexdigit());
        if name.len() == 40
            && let Ok(oid) = Oid::from_str(name)
            && self.odb.borrow_mut().contains(&self.git, oid)?
        {
            return Ok(Some(oid));
        }
        if let Ok(r) = self.git.resolve_reference_from_short_name(name) {
            // A reference that points nowhere (an unborn HEAD) names nothing.
            return Ok(r.resolve().ok().and_then(|r| r.target()));
        }
        let abbrev = match name.rsplit_once("-g") {
            Some((_, id)) if hex(id) && !hex(name) => id,
            _ => name,
        };
        if !hex(abbrev) || abbrev.len() == 40 {
            return Ok(None);
        }
        let git = self.lib()?;
        let odb = git.odb().map_err(|e| self.git_error(e, &[]))?;
        let short = Oid::from_str(abbrev).map_err(Error::git)?;
        match odb.exists_prefix(short, abbrev.len()) {
            Ok(oid) => Ok(Some(oid)),
            Err(e) if e.code() == git2::ErrorCode::Ambiguous => {
                Err(Error::bad_argument(format!("`{abbrev}` is ambiguous: more than one object's ID starts with it"))
                    .with_hint("give more digits of the ID"))
            }
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) if is_damage(&e) => Err(self.damaged(e, &[])),
            Err(_) => Ok(None),
        }
    }

    /// The commit an object is or (a tag) points at, read by the pack reader; `None` for a
    /// tree or a blob.
    fn peel(&self, mut oid: Oid) -> Result<Option<Oid>> {
        for _ in 0..MAX_TAG_CHAIN {
            let (kind, raw) = self.odb.borrow_mut().read(&self.git, oid)?;
            match kind {
                odb::ObjectKind::Commit => return Ok(Some(oid)),
                odb::ObjectKind::Tree | odb::ObjectKind::Blob => return Ok(None),
                odb::ObjectKind::Tag => {
                    let target = headers(&raw).find_map(|l| l.strip_prefix(b"object "));
                    oid = target.and_then(hex_id).ok_or_else(|| malformed("tag", oid))?;
                }
            }
        }
        Err(Error::Damaged {
            message: format!(
                "tag {oid} is one of more than {MAX_TAG_CHAIN} tags that point at each other: the repository is damaged"
            ),
        })
    }

    /// The parents of a commit as git sees them (none past a shallow clone's boundary), read
    /// by the pack reader. For repositories without `info/grafts`.
    fn parent_ids(&self, oid: Oid) -> Result<Vec<Oid>> {
        if self.grafts().shallow.contains(&oid) {
            return Ok(Vec::new());
        }
        let raw = self.odb.borrow_mut().commit(&self.git, oid)?;
        headers(&raw)
            .filter_map(|l| l.strip_prefix(b"parent "))
            .map(|h| hex_id(h).ok_or_else(|| malformed("commit", oid)))
            .collect()
    }

    /// The commit a revision or a date names (see [`Repo::resolve_at`]), as `pm check --rev`
    /// words its error.
    fn commit_of(&self, rev: &str) -> Result<Oid> {
        if date::parse(rev).is_some() || date::looks_like_date(rev) {
            return self.resolve_at(rev).map(|c| c.id());
        }
        match self.lookup(rev)? {
            Rev::Commit(commit) => Ok(commit.id()),
            // A shallow clone may simply not have fetched it.
            Rev::Unknown | Rev::NotCommit if self.git.is_shallow() => Err(Error::bad_argument(format!(
                "`{rev}` names no commit in this shallow clone (only part of the history was fetched)"
            ))
            .with_hint(UNSHALLOW_HINT)),
            Rev::Unknown | Rev::NotCommit => Err(Error::bad_argument(format!("`{rev}` names no commit"))
                .with_hint("give a branch, tag or commit, such as main, origin/main or HEAD~3")),
        }
    }

    /// The parents of a commit, as git sees them (grafts applied). One that cannot be read is an
    /// error naming it, never a commit without that parent.
    pub fn parents(&self, commit: &Commit) -> Result<Vec<Commit<'_>>> {
        commit.parent_ids().map(|id| self.commit(id)).collect()
    }

    /// The first parent of a commit (see [`Repo::parents`]).
    pub fn first_parent(&self, commit: &Commit) -> Result<Option<Commit<'_>>> {
        commit.parent_ids().next().map(|id| self.commit(id)).transpose()
    }

    /// The commit `oid`. One that cannot be read is an error naming it.
    pub fn commit(&self, oid: Oid) -> Result<Commit<'_>> {
        // Read by the pack reader first: libgit2 is never handed a damaged object.
        self.odb.borrow_mut().commit(&self.git, oid)?;
        self.lib()?.find_commit(oid).map_err(|_| odb::damaged(oid))
    }

    /// The error for libgit2 failing to read an object, which it does not name. The pack
    /// reader looks for it, starting from `near` (the object the failing call was given, when
    /// known), then among every commit and tag reachable from the references, following every
    /// parent; the error names the first object it cannot read. Only on the way to an error,
    /// so the cost of the search does not matter.
    fn damaged(&self, e: git2::Error, near: &[Oid]) -> Error {
        self.find_damage(near).unwrap_or_else(|| Error::git(e))
    }

    /// The search of [`Repo::damaged`]: the first object that cannot be read, if any.
    fn find_damage(&self, near: &[Oid]) -> Option<Error> {
        self.find_damage_within(near, usize::MAX)
    }

    /// [`Repo::find_damage`] reading at most `limit` objects.
    fn find_damage_within(&self, near: &[Oid], limit: usize) -> Option<Error> {
        let mut todo: Vec<Oid> = near.to_vec();
        if let Ok(refs) = self.git.references() {
            todo.extend(refs.flatten().filter_map(|r| r.target()));
        }
        if let Ok(head) = self.git.head()
            && let Some(tip) = head.target()
        {
            todo.push(tip);
        }
        todo.reverse(); // `near` first
        let grafts = self.grafts();
        let mut seen = HashSet::new();
        while let Some(oid) = todo.pop() {
            if !seen.insert(oid) {
                continue;
            }
            if seen.len() > limit {
                return None;
            }
            let (kind, raw) = match self.odb.borrow_mut().read(&self.git, oid) {
                Ok(found) => found,
                Err(named @ Error::Damaged { .. }) => return Some(named),
                Err(_) => continue,
            };
            let follow: &[&[u8]] = match kind {
                odb::ObjectKind::Commit if grafts.first_parent.contains_key(&oid) => &[],
                odb::ObjectKind::Commit => &[b"parent "],
                odb::ObjectKind::Tag => &[b"object "],
                _ => &[],
            };
            for line in headers(&raw) {
                if let Some(next) = follow.iter().find_map(|p| line.strip_prefix(*p)).and_then(hex_id) {
                    todo.push(next);
                }
            }
            if let Some(Some(parent)) = grafts.first_parent.get(&oid) {
                todo.push(*parent);
            }
        }
        None
    }

    /// A revision (`main`, `HEAD~3`, a commit ID, a tag) as a commit.
    pub fn resolve(&self, rev: &str) -> Result<Commit<'_>> {
        match self.lookup(rev)? {
            Rev::Commit(commit) => Ok(commit),
            Rev::Unknown if date::looks_like_date(rev) => {
                Err(Error::bad_argument(format!("`{rev}` is not a valid date")).with_hint(date::DATE_FORMS))
            }
            Rev::Unknown if !self.shallow().is_empty() => Err(Error::bad_argument(format!(
                "unknown revision `{rev}` in this shallow clone (it may be in the history the clone left out)"
            ))
            .with_hint(UNSHALLOW_HINT)),
            Rev::Unknown => Err(Error::bad_argument(format!("unknown revision `{rev}`"))
                .with_hint("give a branch, tag, commit ID or HEAD~N; for a date use YYYY-MM-DD")),
            Rev::NotCommit => Err(Error::bad_argument(format!("`{rev}` does not name a commit"))),
        }
    }

    /// Every commit reachable from `tip`, newest first in topological order (`oldest_first`
    /// reverses it), as `git rev-list` lists them. Damage is an error naming the commit.
    pub fn reachable(&self, tip: Oid, oldest_first: bool) -> Result<Vec<Oid>> {
        // libgit2's walk reports some objects it cannot read with no error class ("no error"):
        // any failure of the walk looks for damage first.
        let fail = |e: git2::Error| self.find_damage(&[tip]).unwrap_or_else(|| Error::git(e));
        let mut walk = self.lib()?.revwalk().map_err(fail)?;
        let order = if oldest_first { git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE } else { git2::Sort::TOPOLOGICAL };
        walk.set_sorting(order).map_err(fail)?;
        walk.push(tip).map_err(fail)?;
        walk.collect::<Result<_, _>>().map_err(fail)
    }

    /// Every commit reachable from `head`, each after its parents (a merge right after its
    /// first parent), with the merge of HEAD's first-parent line that brought it (`None` on the
    /// line itself): for a merge, the commits its other parents reach and its first parent
    /// does not, what `git log M^1..M` lists besides M. Headers are read by the pack reader
    /// (a warm `pm history` of 5,000 commits reads them in a few milliseconds; the libgit2
    /// walk it replaces cost 60 ms there, docs/benchmarks.md); with `info/grafts`, libgit2's
    /// walk, which honours every grafted parent.
    pub fn graph(&self, head: Oid) -> Result<Vec<GraphCommit>> {
        if !self.grafts().text.is_empty() {
            let mut out = Vec::new();
            let line: HashSet<Oid> = self.first_parent_line(head)?.into_iter().collect();
            let via = self.merged_by_libgit2(&line)?;
            for oid in self.reachable(head, true)? {
                let merge = self.commit(oid)?.parent_count() > 1;
                out.push(GraphCommit { oid, via: via.get(&oid).copied(), merge });
            }
            return Ok(out);
        }
        // The first-parent line, newest first, and each commit's parents as read.
        let mut parents: HashMap<Oid, Vec<Oid>> = HashMap::new();
        let mut line = Vec::new();
        let mut cur = Some(head);
        while let Some(c) = cur {
            let ps = self.parent_ids(c)?;
            cur = ps.first().copied();
            if parents.insert(c, ps).is_some() {
                return Err(looped(c));
            }
            line.push(c);
        }
        let on_line: HashSet<Oid> = line.iter().copied().collect();
        // Oldest merge first: what an older merge brought is reachable from every later first
        // parent, so each walk stops at the line and at what earlier merges brought.
        let mut via: HashMap<Oid, Oid> = HashMap::new();
        let mut out = Vec::with_capacity(line.len());
        for &c in line.iter().rev() {
            let others: Vec<Oid> = parents[&c].iter().skip(1).copied().collect();
            // Post-order from the other parents: each commit after its parents.
            let mut stack: Vec<(Oid, bool)> = others.iter().rev().map(|&p| (p, false)).collect();
            while let Some((oid, expanded)) = stack.pop() {
                if expanded {
                    out.push(GraphCommit { oid, via: Some(c), merge: parents[&oid].len() > 1 });
                    continue;
                }
                if on_line.contains(&oid) || via.contains_key(&oid) {
                    continue;
                }
                via.insert(oid, c);
                let ps = match parents.get(&oid) {
                    Some(ps) => ps.clone(),
                    None => {
                        let ps = self.parent_ids(oid)?;
                        parents.insert(oid, ps.clone());
                        ps
                    }
                };
                stack.push((oid, true));
                // The first parent is walked last, so a commit follows its first parent.
                for p in ps.iter().skip(1).chain(ps.first()) {
                    stack.push((*p, false));
                }
            }
            out.push(GraphCommit { oid: c, via: None, merge: parents[&c].len() > 1 });
        }
        Ok(out)
    }

    /// [`Repo::graph`]'s merges, with libgit2's walk (for repositories with `info/grafts`).
    fn merged_by_libgit2(&self, line: &HashSet<Oid>) -> Result<HashMap<Oid, Oid>> {
        let mut out = HashMap::new();
        let mut merges: Vec<Commit> = Vec::new();
        for &oid in line {
            let commit = self.commit(oid)?;
            if commit.parent_count() > 1 {
                merges.push(commit);
            }
        }
        merges.sort_by_key(|c| c.time().seconds());
        for merge in merges {
            let fail = |e: git2::Error| self.find_damage(&[merge.id()]).unwrap_or_else(|| Error::git(e));
            let mut walk = self.lib()?.revwalk().map_err(fail)?;
            for (i, p) in self.parents(&merge)?.iter().enumerate() {
                if i == 0 { walk.hide(p.id()) } else { walk.push(p.id()) }.map_err(fail)?;
            }
            for oid in walk {
                out.entry(oid.map_err(fail)?).or_insert(merge.id());
            }
        }
        Ok(out)
    }

    /// A revision or a date. A date means the last commit on HEAD's first-parent history made
    /// at or before it (a whole day counts to its end, in the local time zone).
    pub fn resolve_at(&self, text: &str) -> Result<Commit<'_>> {
        let Some(when) = date::parse(text) else {
            return self.resolve(text);
        };
        let head = self.head_required()?;
        let (mut found, mut last) = (None, head.id());
        self.walk_first_parents(head.id(), |oid, raw| {
            last = oid;
            let before = committer_time(raw).is_some_and(|t| t < when.end());
            if before {
                found = Some(oid);
            }
            !before
        })?;
        match found {
            Some(oid) => self.commit(oid),
            None if self.shallow().contains(&last) => Err(Error::bad_argument(format!(
                "no commit at or before {text} in this shallow clone: its history starts at {}",
                &last.to_string()[..7]
            ))
            .with_hint(UNSHALLOW_HINT)),
            None => Err(Error::bad_argument(format!("no commit at or before {text}"))
                .with_hint("the first commit is later than that date; `git log --reverse` shows it")),
        }
    }

    /// `Ok(None)` for an error that is not damage: the caller words that one. Damage is an
    /// error that names the object.
    fn unless_damage<T>(&self, read: Result<T, git2::Error>) -> Result<Option<T>> {
        match read {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) if is_damage(&e) => Err(self.damaged(e, &[])),
            Err(_) => Ok(None),
        }
    }

    /// The default base of `pm diff`: the merge-base of HEAD with origin/HEAD, else main,
    /// else master.
    pub fn default_base(&self) -> Result<(Commit<'_>, String)> {
        let head = self.head_required()?;
        for name in ["origin/HEAD", "main", "master", "origin/main", "origin/master"] {
            // A branch whose commit cannot be read is an error naming it, not a branch skipped.
            let Rev::Commit(other) = self.lookup(name)? else { continue };
            let Some(base) = self.merge_base(head.id(), other.id())? else {
                return Err(Error::bad_argument(format!("HEAD and {name} have no common ancestor here")).with_hint(
                    "pm diff compares with the merge-base; fetch the full history (`git fetch --unshallow`) or name the base: pm diff BASE",
                ));
            };
            return Ok((self.commit(base)?, name.to_string()));
        }
        Err(Error::bad_argument("no default branch to compare with (tried origin/HEAD, main, master)")
            .with_hint("name the base: pm diff BASE [HEAD], for example pm diff origin/develop"))
    }

    /// A libgit2 error: damage names the object (looked for from `near` first), anything else
    /// is passed on. Every libgit2 error of this type leaves through here, [`Repo::unless_damage`]
    /// or [`Repo::commit`].
    fn git_error(&self, e: git2::Error, near: &[Oid]) -> Error {
        if is_damage(&e) { self.damaged(e, near) } else { Error::git(e) }
    }

    /// The best common ancestor of two commits, if they have one: git's walk (newest commit
    /// first, painting what each side reaches, until only commits below a common one are
    /// left), by the pack reader. Of several best ones (criss-cross merges), the newest, as
    /// `git merge-base` gives. With `info/grafts`, libgit2's.
    pub fn merge_base(&self, a: Oid, b: Oid) -> Result<Option<Oid>> {
        if !self.grafts().text.is_empty() {
            return self.unless_damage(self.lib()?.merge_base(a, b));
        }
        if a == b {
            return Ok(Some(a));
        }
        const ONE: u8 = 1;
        const TWO: u8 = 2;
        const STALE: u8 = 4;
        const FOUND: u8 = 8;
        let mut flags: HashMap<Oid, u8> = HashMap::new();
        // Entries of the queue per commit, and how many name a commit not yet stale: the walk
        // ends when none does.
        let mut queued: HashMap<Oid, usize> = HashMap::new();
        let mut live = 0usize;
        let mut queue = std::collections::BinaryHeap::new();
        let mut seq = 0u64;
        let mut push = |queue: &mut std::collections::BinaryHeap<(i64, std::cmp::Reverse<u64>, Oid)>,
                        queued: &mut HashMap<Oid, usize>,
                        live: &mut usize,
                        flags: &HashMap<Oid, u8>,
                        oid: Oid|
         -> Result<()> {
            let raw = self.odb.borrow_mut().commit(&self.git, oid)?;
            seq += 1;
            queue.push((committer_time(&raw).unwrap_or(0), std::cmp::Reverse(seq), oid));
            *queued.entry(oid).or_default() += 1;
            if flags.get(&oid).copied().unwrap_or(0) & STALE == 0 {
                *live += 1;
            }
            Ok(())
        };
        flags.insert(a, ONE);
        flags.insert(b, TWO);
        push(&mut queue, &mut queued, &mut live, &flags, a)?;
        push(&mut queue, &mut queued, &mut live, &flags, b)?;
        let mut found = Vec::new();
        while live > 0 {
            let Some((_, _, oid)) = queue.pop() else { break };
            let mut mark = flags[&oid];
            *queued.entry(oid).or_default() -= 1;
            if mark & STALE == 0 {
                live -= 1;
            }
            if mark & (ONE | TWO) == ONE | TWO {
                if mark & FOUND == 0 {
                    flags.insert(oid, mark | FOUND);
                    found.push(oid);
                }
                mark |= STALE;
            }
            let paint = mark & (ONE | TWO | STALE);
            for parent in self.parent_ids(oid)? {
                let old = flags.get(&parent).copied().unwrap_or(0);
                if old & paint == paint {
                    continue;
                }
                if old & STALE == 0 && paint & STALE != 0 {
                    live -= queued.get(&parent).copied().unwrap_or(0);
                }
                flags.insert(parent, old | paint);
                push(&mut queue, &mut queued, &mut live, &flags, parent)?;
            }
        }
        // git then drops the candidates that are ancestors of others ("remove_redundant"):
        // with commits made in the same second, or clocks out of order, an older candidate
        // can be found first. One candidate is the answer; several go to libgit2, which has
        // that step (every commit they reach was read by pm's reader above).
        let best: Vec<Oid> = found.into_iter().filter(|oid| flags[oid] & STALE == 0).collect();
        match best.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            _ => self.unless_damage(self.lib()?.merge_base(a, b)),
        }
    }

    /// Every commit reachable from `tip` (none past a shallow clone's boundary).
    pub fn ancestors(&self, tip: Oid) -> Result<HashSet<Oid>> {
        if !self.grafts().text.is_empty() {
            return Ok(self.reachable(tip, false)?.into_iter().collect());
        }
        let mut seen = HashSet::from([tip]);
        let mut todo = vec![tip];
        while let Some(oid) = todo.pop() {
            for parent in self.parent_ids(oid)? {
                if seen.insert(parent) {
                    todo.push(parent);
                }
            }
        }
        Ok(seen)
    }

    /// Whether the working tree's file at `rel` (from the repository root) differs from the
    /// one in `commit` (or is new there): for `--changed-since` of files beside the product.
    pub fn file_changed_since(&self, commit: Oid, rel: &str) -> Result<bool> {
        let tree = self.commit(commit)?.tree_id();
        let then = self.blob_at(tree, rel)?;
        let now = git2::Oid::hash_file(git2::ObjectType::Blob, self.workdir.join(rel)).ok();
        Ok(then != now)
    }

    /// The merge-base of `head` (HEAD when `None`) and `since`: for `pm check --changed-since`
    /// and `pm diff A...B`.
    pub fn merge_base_with(&self, head: Option<&str>, since: &str) -> Result<Oid> {
        let head_name = head.unwrap_or("HEAD");
        let head_commit = self.commit_of(head_name).map_err(|e| match e {
            Error::Damaged { .. } => e,
            _ if head.is_none() => Error::bad_argument("HEAD names no commit")
                .with_hint("there is nothing to compare with yet: commit once first"),
            _ => Error::bad_argument(format!("`{head_name}` names no commit"))
                .with_hint("give a branch, tag or commit, such as main, origin/main or HEAD~3"),
        })?;
        let since_commit = self.commit_of(since)?;
        self.merge_base(head_commit, since_commit)?.ok_or_else(|| {
            Error::bad_argument(format!("`{since}` and {head_name} have no common ancestor")).with_hint(
                "the comparison starts at their merge-base; fetch the full history (`git fetch --unshallow`)",
            )
        })
    }

    /// The distinct commits at HEAD and at every local and remote-tracking branch. A branch
    /// whose commit cannot be read is an error, not a branch left out.
    pub fn branch_tips(&self) -> Result<Vec<Oid>> {
        let mut tips: Vec<Oid> = Vec::new();
        if let Some(head) = self.unless_damage(self.git.head())?
            && let Some(oid) = head.target()
        {
            tips.push(oid);
        }
        for r in self.git.references().map_err(|e| self.git_error(e, &[]))? {
            let Some(r) = self.unless_damage(r)? else { continue };
            if !(r.is_branch() || r.is_remote()) {
                continue;
            }
            // Not `peel_to_commit`: its error for an object it cannot read is "cannot be
            // peeled", which does not tell damage from a branch that names no commit.
            let Some(target) = r.resolve().ok().and_then(|r| r.target()) else { continue };
            if let Some(commit) = self.peel(target)? {
                tips.push(commit);
            }
        }
        let mut seen = HashSet::new();
        tips.retain(|t| seen.insert(*t));
        Ok(tips)
    }

    fn grafts(&self) -> &Grafts {
        self.grafts.get_or_init(|| Grafts::read(self.git.commondir()))
    }

    /// The text of `.git/info/grafts` (empty without one): a commit's changes, computed against
    /// its parent, depend on it, so caches of them are kept apart per grafts file.
    pub fn grafts_text(&self) -> &str {
        &self.grafts().text
    }

    /// Commits whose parents this clone does not have: where a shallow clone's history starts.
    pub fn shallow(&self) -> &HashSet<Oid> {
        &self.grafts().shallow
    }

    /// Visit the commits of the first-parent line from `head` back, newest first, with their
    /// raw bytes, until `visit` returns `false`, the root, or the boundary of a shallow clone
    /// (which is visited). Parents are as git sees them: `info/grafts` and `shallow` replace a
    /// commit's own. Commits are read by the pack reader and only their headers are looked at.
    pub fn walk_first_parents(&self, head: Oid, mut visit: impl FnMut(Oid, &[u8]) -> bool) -> Result<()> {
        let grafts = self.grafts();
        let mut cur = head;
        let mut seen = HashSet::new();
        loop {
            if !seen.insert(cur) {
                return Err(looped(cur));
            }
            let raw = self.odb.borrow_mut().commit(&self.git, cur)?;
            if !visit(cur, &raw) {
                return Ok(());
            }
            let parent = match grafts.first_parent.get(&cur) {
                Some(grafted) => *grafted,
                None => match first_parent(&raw) {
                    Some(Ok(parent)) => Some(parent),
                    Some(Err(())) => {
                        return Err(Error::Damaged {
                            message: format!("commit {cur} is malformed: the repository is damaged"),
                        });
                    }
                    None => None,
                },
            };
            match parent {
                Some(parent) => cur = parent,
                None => return Ok(()),
            }
        }
    }

    /// The commits of the first-parent line from `head` back to the root or to the boundary of
    /// a shallow clone, oldest first: what `git log --first-parent --reverse` lists.
    pub fn first_parent_line(&self, head: Oid) -> Result<Vec<Oid>> {
        let mut line = Vec::new();
        self.walk_first_parents(head, |oid, _| {
            line.push(oid);
            true
        })?;
        line.reverse();
        Ok(line)
    }

    /// The tree of the product folder at a commit, if it existed then.
    pub fn product_tree(&self, commit: &Commit) -> Result<Option<Oid>> {
        self.subtree(commit.tree_id(), &self.dir)
    }

    /// The tree of the product folder at the commit `commit`, if it existed then.
    pub fn product_tree_of(&self, commit: Oid) -> Result<Option<Oid>> {
        let raw = self.odb.borrow_mut().commit(&self.git, commit)?;
        let tree = headers(&raw).find_map(|l| l.strip_prefix(b"tree ")).and_then(hex_id);
        self.subtree(tree.ok_or_else(|| malformed("commit", commit))?, &self.dir)
    }

    /// The tree at `dir` (`/`-separated, empty for `tree` itself) under `tree`, if there is one.
    pub fn subtree(&self, tree: Oid, dir: &str) -> Result<Option<Oid>> {
        let mut cur = tree;
        for name in dir.split('/').filter(|n| !n.is_empty()) {
            let raw = self.raw_tree(cur)?;
            match tree_find(&raw, name.as_bytes()) {
                Some(e) if e.is_tree() => cur = e.id(),
                _ => return Ok(None),
            }
        }
        Ok(Some(cur))
    }

    /// The blob at `rel` (`/`-separated) under `tree`, if there is one.
    pub fn blob_at(&self, tree: Oid, rel: &str) -> Result<Option<Oid>> {
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        let Some(sub) = self.subtree(tree, dir)? else { return Ok(None) };
        let raw = self.raw_tree(sub)?;
        Ok(tree_find(&raw, name.as_bytes()).filter(|e| e.is_file()).map(|e| e.id()))
    }

    /// Every file under a tree that [`layout::role`] gives a role, with its path relative to the
    /// tree, sorted by path. Hidden folders are not entered (nothing in them is read). Paths
    /// that are not UTF-8 and symbolic links are left out: [`Repo::files_at`] reports them, for
    /// `pm check --rev` (a link is read by no command, as in the working tree).
    pub fn files(&self, tree: Oid) -> Result<Vec<(String, Oid)>> {
        Ok(self.files_and_bad_names(tree)?.0)
    }

    /// [`Repo::files`], and apart the files whose paths are not UTF-8 (made UTF-8 with U+FFFD)
    /// and the paths of symbolic links.
    fn files_and_bad_names(&self, tree: Oid) -> Result<(TreeFiles, TreeFiles, Vec<String>)> {
        self.listing(tree, &|_| true, HashMap::new())
    }

    /// [`Repo::files`], only those whose file name `keep` accepts (no path is made for the
    /// others), reading the trees in `read` (raw trees by ID, read already) from there.
    pub fn files_named(&self, tree: Oid, keep: &dyn Fn(&str) -> bool, read: HashMap<Oid, Data>) -> Result<TreeFiles> {
        Ok(self.listing(tree, keep, read)?.0)
    }

    /// The files of a tree whose names `keep` accepts, as [`Repo::files_and_bad_names`] gives them.
    fn listing(
        &self,
        tree: Oid,
        keep: &dyn Fn(&str) -> bool,
        read: HashMap<Oid, Data>,
    ) -> Result<(TreeFiles, TreeFiles, Vec<String>)> {
        let (mut good, mut bad) = (Vec::new(), Vec::new());
        let mut walk = Walk { budget: MAX_TREE_ENTRIES, trees: read, links: Vec::new(), keep };
        self.collect(tree, "", true, &mut good, &mut bad, &mut walk)?;
        good.sort_unstable();
        bad.sort_unstable();
        walk.links.sort_unstable();
        Ok((good, bad, walk.links))
    }

    fn collect(
        &self,
        tree: Oid,
        prefix: &str,
        utf8: bool,
        good: &mut Vec<(String, Oid)>,
        bad: &mut Vec<(String, Oid)>,
        walk: &mut Walk,
    ) -> Result<()> {
        if prefix.matches('/').count() > MAX_TREE_DEPTH {
            return Err(too_deep(tree, &self.dir));
        }
        let raw = match walk.trees.get(&tree) {
            Some(raw) => raw.clone(),
            None => {
                let raw = self.raw_tree(tree)?;
                walk.trees.insert(tree, raw.clone());
                raw
            }
        };
        let mut entries = TreeEntries::new(&raw);
        for entry in &mut entries {
            walk.budget = walk.budget.checked_sub(1).ok_or_else(|| too_many(tree, &self.dir))?;
            let name = String::from_utf8_lossy(entry.name);
            let utf8 = utf8 && matches!(name, std::borrow::Cow::Borrowed(_));
            if layout::is_hidden(&name) {
                continue;
            }
            let path = || format!("{prefix}{name}");
            if entry.is_tree() {
                self.collect(entry.id(), &format!("{}/", path()), utf8, good, bad, walk)?;
            } else if entry.is_link() {
                walk.links.push(path());
            } else if entry.is_file() && layout::is_read_name(&name, prefix.is_empty()) && (walk.keep)(&name) {
                if utf8 { &mut *good } else { &mut *bad }.push((path(), entry.id()));
            }
        }
        if !entries.finished() {
            return Err(Error::Damaged {
                message: format!("tree {tree} under {}/{prefix} is malformed: the repository is damaged", self.dir),
            });
        }
        Ok(())
    }

    /// A tree's raw bytes, for [`TreeEntries`].
    pub fn raw_tree(&self, oid: Oid) -> Result<Data> {
        self.odb.borrow_mut().tree(&self.git, oid)
    }

    /// A blob's bytes.
    pub fn blob(&self, oid: Oid) -> Result<Data> {
        self.odb.borrow_mut().blob(&self.git, oid)
    }

    /// A blob's text; `None` when it is not UTF-8.
    pub fn text(&self, oid: Oid) -> Result<Option<String>> {
        let blob = self.blob(oid)?;
        Ok(String::from_utf8(blob.to_vec()).ok())
    }

    /// The product's files at a commit, as `pm check` reads them. The product folder must
    /// exist there.
    pub fn files_at(&self, commit: Oid) -> Result<Files> {
        let Some(tree) = self.product_tree_of(commit)? else {
            return Err(Error::bad_argument(format!("no product folder {} in commit {commit}", self.dir)));
        };
        let (good, bad, links) = self.files_and_bad_names(tree)?;
        let read = |files: Vec<(String, Oid)>| -> Result<Vec<(String, Vec<u8>)>> {
            files.into_iter().map(|(rel, oid)| Ok((rel, self.blob(oid)?.to_vec()))).collect()
        };
        let mut files = Files::new(&self.dir, read(good)?, read(bad)?);
        files.links = links
            .into_iter()
            .map(|rel| if self.dir.is_empty() { rel } else { format!("{}/{rel}", self.dir) })
            .collect();
        Ok(files)
    }

    /// The blob IDs of the product's files at a commit, by path inside `product/`; empty when
    /// the folder did not exist then.
    pub fn file_ids_at(&self, commit: Oid) -> Result<Vec<(String, Oid)>> {
        match self.product_tree_of(commit)? {
            Some(tree) => self.files(tree),
            None => Ok(Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "A")
            .env("GIT_AUTHOR_EMAIL", "a@x")
            .env("GIT_COMMITTER_NAME", "A")
            .env("GIT_COMMITTER_EMAIL", "a@x")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// Revisions read by the pack reader name what `git rev-parse` names, in loose and
    /// packed repositories; forms it does not read go to libgit2 and give the same.
    #[test]
    fn revisions_resolve_as_git_resolves_them() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        git(d, &["init", "-q", "-b", "main"]);
        let commit = |m: &str| git(d, &["commit", "-q", "--allow-empty", "-m", m]);
        commit("one");
        commit("two");
        git(d, &["tag", "-a", "v1", "-m", "tag"]);
        git(d, &["tag", "light"]);
        git(d, &["checkout", "-q", "-b", "side", "HEAD~1"]);
        commit("side");
        git(d, &["checkout", "-q", "main"]);
        git(d, &["merge", "-q", "--no-ff", "-m", "merge", "side"]);
        commit("three");
        let short = git(d, &["rev-parse", "--short=7", "main~2"]);
        let describe = format!("v1-2-g{short}");
        for packed in [false, true] {
            if packed {
                git(d, &["repack", "-adq"]);
            }
            let repo = Repository::open(d).unwrap();
            let repo = Repo::new(repo, d.to_path_buf(), String::new(), PathBuf::new(), PathBuf::new());
            let revs = [
                "HEAD",
                "@",
                "main",
                "refs/heads/main",
                "side",
                "v1",
                "light",
                "v1^{commit}",
                "v1^{}",
                "HEAD~1",
                "HEAD^",
                "HEAD~1^2",
                "HEAD~1^1",
                "HEAD^^",
                "HEAD~2~1",
                "main~0",
                "HEAD^0",
                &short,
                &describe,
                "HEAD@{0}",
                "main^{/one}",
                "v1~1^{/one}",
            ];
            for rev in revs {
                let want = git(d, &["rev-parse", &format!("{rev}^{{commit}}")]);
                let got = repo.resolve(rev).map(|c| c.id().to_string()).map_err(|e| e.to_string());
                assert_eq!(got, Ok(want), "{rev} (packed: {packed})");
            }
            for rev in ["HEAD~9", "HEAD^3", "nothing", "HEAD~99999999999999999999999", "0000000"] {
                let got = repo.lookup(rev).map(|r| matches!(r, Rev::Unknown)).map_err(|e| e.to_string());
                assert_eq!(got, Ok(true), "{rev}");
            }
            assert!(matches!(repo.lookup("HEAD^{tree}"), Ok(Rev::NotCommit)));
            let merge = git(d, &["rev-parse", "HEAD~1"]);
            let base = git(d, &["merge-base", "side", "HEAD"]);
            let side = Oid::from_str(&git(d, &["rev-parse", "side"])).unwrap();
            assert_eq!(repo.merge_base(Oid::from_str(&merge).unwrap(), side).unwrap(), Some(side));
            let head = Oid::from_str(&git(d, &["rev-parse", "HEAD"])).unwrap();
            assert_eq!(repo.merge_base(side, head).unwrap().map(|o| o.to_string()), Some(base));
            let all = git(d, &["rev-list", "HEAD"]);
            let mut want: Vec<&str> = all.lines().collect();
            want.sort_unstable();
            let mut got: Vec<String> = repo.ancestors(head).unwrap().iter().map(Oid::to_string).collect();
            got.sort_unstable();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn the_first_parent_is_the_first_parent_header() {
        let tree = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n";
        let (a, b) = ("1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222");
        let author = "author A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n";
        let root = format!("{tree}{author}\nparent {a} in the message\n");
        assert_eq!(first_parent(root.as_bytes()), None);
        let merge = format!("{tree}parent {a}\nparent {b}\n{author}gpgsig -----BEGIN\n parent {b}\n\nmsg\n");
        assert_eq!(first_parent(merge.as_bytes()), Some(Ok(Oid::from_str(a).unwrap())));
        assert_eq!(first_parent(format!("{tree}parent nothex\n").as_bytes()), Some(Err(())));
    }
}
