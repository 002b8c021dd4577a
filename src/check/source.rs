//! What `pm check` reads: the files of `product/`, from the working tree or from a git commit.
//!
//! A [`Snapshot`] holds the text of every Markdown file and `pm.yaml` under the product folder,
//! keyed by their path inside it. Reading a commit goes through git objects (tree entries and
//! blobs), so `pm check --rev REV` needs no checkout and never touches the working tree.
//! This file is self-contained on purpose: history code may read trees the same way, and the two
//! can be unified later.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::layout::{self, PRODUCT_DIR};
use crate::store::product::{parallel_map, path_in, read_file, slash_path};

/// The bytes of a file, if they are text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Text(String),
    NotUtf8,
}

/// One file of the product folder.
#[derive(Debug, Clone)]
pub struct File {
    /// Path inside `product/`, `/`-separated.
    pub rel: String,
    /// Path shown in findings: from the repository root, `/`-separated.
    pub path: String,
    pub content: Content,
}

impl File {
    pub fn text(&self) -> Option<&str> {
        match &self.content {
            Content::Text(t) => Some(t),
            Content::NotUtf8 => None,
        }
    }
}

/// The files of a product folder at one point in time.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The product folder's path from the repository root (`product`), `/`-separated.
    pub product_dir: String,
    /// Sorted by `rel` (so looked up by binary search).
    files: Vec<File>,
}

impl Snapshot {
    /// A snapshot from `(path inside product/, bytes)` pairs.
    pub fn new(product_dir: &str, contents: Vec<(String, Vec<u8>)>) -> Snapshot {
        let mut files: Vec<File> = contents
            .into_iter()
            .map(|(rel, bytes)| {
                let path = if product_dir.is_empty() { rel.clone() } else { format!("{product_dir}/{rel}") };
                let content = match String::from_utf8(bytes) {
                    Ok(t) => Content::Text(t),
                    Err(_) => Content::NotUtf8,
                };
                File { rel, path, content }
            })
            .collect();
        files.sort_unstable_by(|a, b| a.rel.cmp(&b.rel));
        Snapshot { product_dir: product_dir.to_string(), files }
    }

    /// The product folder in the working tree. Paths are shown from the root of the git work
    /// tree holding it, or from the folder holding `product/` outside git.
    pub fn work_tree(product_root: &Path) -> Result<Snapshot> {
        let root = product_root.canonicalize().unwrap_or_else(|_| product_root.to_path_buf());
        let base = git2::Repository::discover(&root)
            .ok()
            .and_then(|r| r.workdir().map(|w| w.canonicalize().unwrap_or_else(|_| w.to_path_buf())))
            .filter(|w| root.starts_with(w))
            .or_else(|| root.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| root.clone());
        let product_dir = slash_path(root.strip_prefix(&base).unwrap_or(Path::new(PRODUCT_DIR)));
        let mut paths: Vec<PathBuf> = Vec::new();
        let walker = walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !layout::is_hidden(&e.file_name().to_string_lossy()));
        for entry in walker {
            let entry = entry.map_err(|e| {
                let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| root.clone());
                Error::io(&path, std::io::Error::other(e.to_string()))
            })?;
            if entry.file_type().is_file() && wanted(&slash_path(path_in(entry.path(), &root).unwrap_or(entry.path())))
            {
                paths.push(entry.into_path());
            }
        }
        let read = parallel_map(&paths, |p| read_file(p).map_err(|e| Error::io(p, e)));
        let mut contents = Vec::with_capacity(paths.len());
        for (p, bytes) in paths.iter().zip(read) {
            contents.push((slash_path(path_in(p, &root).unwrap_or(p)), bytes?));
        }
        Ok(Snapshot::new(&product_dir, contents))
    }

    /// The product folder as it is in commit `rev` of the repository holding `cwd`, read from git
    /// objects. The folder is found as `product/` in the directory of `cwd` or a parent.
    pub fn git(cwd: &Path, rev: &str) -> Result<Snapshot> {
        let repo = open_repo(cwd)?;
        let tree = tree_of(&repo, rev)?;
        let product_dir = find_product_dir(&repo, &tree, cwd).ok_or_else(|| {
            Error::bad_argument(format!("no product folder in {rev}"))
                .with_hint("the commit must hold a `product/` folder in this directory or a parent")
        })?;
        let contents = read_tree_files(&repo, &tree, &product_dir)?;
        Ok(Snapshot::new(&product_dir, contents))
    }

    /// The bytes of a file as read (for comparing with git blobs).
    pub fn bytes(file: &File) -> Option<&[u8]> {
        file.text().map(str::as_bytes)
    }

    pub fn files(&self) -> &[File] {
        &self.files
    }

    /// A file by its path inside `product/`.
    pub fn get(&self, rel: &str) -> Option<&File> {
        self.files.binary_search_by(|f| f.rel.as_str().cmp(rel)).ok().map(|i| &self.files[i])
    }

    /// A file by its shown path.
    pub fn by_path(&self, path: &str) -> Option<&File> {
        // A shown path is the product folder's path, a slash and the path inside it.
        let rel = if self.product_dir.is_empty() {
            path
        } else {
            path.strip_prefix(self.product_dir.as_str())?.strip_prefix('/')?
        };
        self.get(rel)
    }

    /// The files that hold an item ([`layout::holds_item`]); a file in a kind folder that is
    /// not UTF-8 is one too (its finding says so).
    pub fn item_candidates(&self) -> impl Iterator<Item = &File> {
        self.files.iter().filter(|f| match &f.content {
            Content::Text(t) => layout::holds_item(&f.rel, t),
            Content::NotUtf8 => matches!(layout::role(&f.rel), layout::Role::Item { kind: Some(_) }),
        })
    }

    /// The text of 1-based `line` of the file shown as `path`, without its line ending.
    pub fn line_at(&self, path: &str, line: usize) -> Option<String> {
        let text = self.by_path(path)?.text()?;
        text.split('\n').nth(line.checked_sub(1)?).map(|l| l.trim_end_matches('\r').to_string())
    }
}

/// Files a check reads: what [`layout::role`] gives a role.
fn wanted(rel: &str) -> bool {
    layout::is_read(rel)
}

/// The repository holding `cwd`.
pub fn open_repo(cwd: &Path) -> Result<git2::Repository> {
    git2::Repository::discover(cwd).map_err(|_| {
        Error::bad_argument(format!("{} is not in a git repository", cwd.display()))
            .with_hint("--rev and --changed-since read git history; run pm inside a git repository")
    })
}

/// The tree of the commit `rev` names.
pub fn tree_of<'r>(repo: &'r git2::Repository, rev: &str) -> Result<git2::Tree<'r>> {
    let bad = || {
        Error::bad_argument(format!("`{rev}` names no commit"))
            .with_hint("give a branch, tag or commit, such as main, origin/main or HEAD~3")
    };
    let object = repo.revparse_single(rev).map_err(|_| bad())?;
    object.peel_to_tree().map_err(|_| bad())
}

/// The product folder's path inside `tree`: `product` in the directory of `cwd` (relative to the
/// work tree) or its nearest parent that has one.
pub fn find_product_dir(repo: &git2::Repository, tree: &git2::Tree, cwd: &Path) -> Option<String> {
    let workdir = repo.workdir()?.canonicalize().ok()?;
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    let rel = cwd.strip_prefix(&workdir).ok()?.to_path_buf();
    let is_tree = |p: &Path| tree.get_path(p).ok().is_some_and(|e| e.kind() == Some(git2::ObjectType::Tree));
    for dir in rel.ancestors() {
        let candidate = dir.join(PRODUCT_DIR);
        if is_tree(&candidate) {
            return Some(slash_path(&candidate));
        }
        if dir.file_name().is_some_and(|n| n == PRODUCT_DIR) && is_tree(dir) {
            return Some(slash_path(dir));
        }
    }
    None
}

/// The blob IDs of every wanted file under `dir` of `tree`, by path relative to `dir`. A
/// missing `dir` has no files.
pub fn tree_entries(repo: &git2::Repository, tree: &git2::Tree, dir: &str) -> Result<Vec<(String, git2::Oid)>> {
    let sub = if dir.is_empty() {
        tree.clone()
    } else {
        match tree
            .get_path(Path::new(dir))
            .ok()
            .and_then(|e| e.to_object(repo).ok())
            .and_then(|o| o.peel_to_tree().ok())
        {
            Some(t) => t,
            None => return Ok(Vec::new()),
        }
    };
    let mut blobs: Vec<(String, git2::Oid)> = Vec::new();
    sub.walk(git2::TreeWalkMode::PreOrder, |root, entry| {
        let name = entry.name().unwrap_or("");
        if layout::is_hidden(name) {
            return git2::TreeWalkResult::Skip;
        }
        if entry.kind() == Some(git2::ObjectType::Blob) {
            let rel = format!("{root}{name}");
            if wanted(&rel) {
                blobs.push((rel, entry.id()));
            }
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(Error::git)?;
    Ok(blobs)
}

/// Every wanted file under `dir` of `tree`, with its bytes, paths relative to `dir`.
pub fn read_tree_files(repo: &git2::Repository, tree: &git2::Tree, dir: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    for (rel, oid) in tree_entries(repo, tree, dir)? {
        let blob = repo.find_blob(oid).map_err(Error::git)?;
        out.push((rel, blob.content().to_vec()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_skip_lists_and_notes_without_front_matter() {
        let s = Snapshot::new(
            "product",
            vec![
                ("backlog.md".into(), b"# B\n".to_vec()),
                ("notes.md".into(), b"just notes\n".to_vec()),
                ("extra.md".into(), b"---\nid: S-9\n---\n".to_vec()),
                ("stories/S-1-a.md".into(), b"no front matter\n".to_vec()),
            ],
        );
        let rels: Vec<_> = s.item_candidates().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["extra.md", "stories/S-1-a.md"]);
        assert_eq!(s.get("extra.md").unwrap().path, "product/extra.md");
        assert_eq!(s.line_at("product/extra.md", 2).as_deref(), Some("id: S-9"));
    }
}
