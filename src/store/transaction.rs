//! Writes: a locked [`Transaction`] on a product, and the atomic [`Changes`] it commits.
//!
//! A command that changes the product starts one transaction ([`Transaction::start`] takes the
//! product's lock), reads what it needs through it, stages every file change, and commits: all
//! of them land, or none does. Operations take the transaction; the lock is held until it is
//! dropped, so a read and the write that depends on it can never be separated by another `pm`.
//!
//! Each new content is first written to a temporary file in the target's own folder (so the
//! final step is a rename on one file system). Only when every temporary file is written are
//! they moved into place. New files are linked into place, which fails if the name is taken:
//! `pm` never overwrites a file it meant to create. If a step fails part-way, the files
//! already replaced are restored from the contents read before the change.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::layout;
use crate::model::listfile::ListFile;
use crate::store::lock::Lock;
use crate::store::product::Product;

/// A locked write session on one product: reads see the folder as it is under the lock (and
/// the changes staged so far), writes are staged and land together at [`Transaction::commit`].
#[derive(Debug)]
pub struct Transaction<'p> {
    product: &'p Product,
    changes: Changes,
    _lock: Lock,
}

impl<'p> Transaction<'p> {
    /// Take the product's lock (calling `on_wait` once if another process holds it) and start
    /// a transaction.
    pub fn start(product: &'p Product, on_wait: &mut dyn FnMut(&Path)) -> Result<Transaction<'p>> {
        let lock = Lock::acquire(&product.root, on_wait)?;
        Ok(Transaction { product, changes: Changes::new(), _lock: lock })
    }

    /// The product this transaction changes.
    pub fn product(&self) -> &'p Product {
        self.product
    }

    /// Stage: replace a file (or create it if it does not exist) with `contents`.
    pub fn write(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        self.changes.write(path, contents);
    }

    /// Stage: create a new file; the commit fails with [`CommitError::Exists`] if it exists.
    pub fn create(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        self.changes.create(path, contents);
    }

    /// Stage: rename `from` to `to` (which must not exist), after the writes.
    pub fn rename(&mut self, from: impl Into<PathBuf>, to: impl Into<PathBuf>) {
        self.changes.rename(from, to);
    }

    /// Stage every change of `changes` after those staged already.
    pub fn extend(&mut self, changes: Changes) {
        self.changes.ops.extend(changes.ops);
    }

    /// A list file as this transaction would leave it: the staged text, else the file's.
    pub fn read_list(&self, path: &Path) -> Result<ListFile> {
        match self.changes.staged(path) {
            Some(bytes) => Ok(ListFile::parse(&String::from_utf8_lossy(bytes))),
            None => self.product.read_list(path),
        }
    }

    /// Apply every staged change, or none; either way nothing stays staged. The lock is kept
    /// (a command may go on, as `pm story add` does when a file name was taken meanwhile).
    pub fn commit(&mut self) -> Result<(), CommitError> {
        let changes = std::mem::take(&mut self.changes);
        for op in &changes.ops {
            let from = match op {
                Op::Rename { from, .. } => Some(from.as_path()),
                _ => None,
            };
            for path in from.into_iter().chain([op.target()]) {
                self.stays_inside(path).map_err(CommitError::Other)?;
            }
            // A file its owner made read-only is not replaced (a rename would get past it).
            if let Op::Replace { path, .. } = op
                && fs::metadata(path).is_ok_and(|m| m.permissions().readonly())
            {
                let denied = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "the file is read-only");
                return Err(CommitError::Other(Error::io(&self.product.shown(path), denied)));
            }
        }
        changes.commit()
    }

    /// Refuse to write `path` through a symbolic link: the file itself, or a folder between the
    /// product folder and it (a linked `stories/`), or a product folder that is a link out of
    /// its repository. `pm` never writes outside the repository's working tree.
    fn stays_inside(&self, path: &Path) -> Result<()> {
        let root = &self.product.root;
        let is_link = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
        for p in path.ancestors().take_while(|p| *p != root.as_path() && p.starts_with(root)) {
            if is_link(p) {
                return Err(self.product.link_error(p));
            }
        }
        self.product.refuse_link_out_of_repository()?;
        Ok(())
    }
}

#[derive(Debug)]
enum Op {
    /// Replace an existing file; `original` is what it held before (to restore on failure).
    Replace { path: PathBuf, contents: Vec<u8>, original: Option<Vec<u8>> },
    /// Create a file that must not exist yet.
    Create { path: PathBuf, contents: Vec<u8> },
    /// Rename a file (used by renumbering); `to` must not exist.
    Rename { from: PathBuf, to: PathBuf },
}

impl Op {
    /// The file the operation writes.
    fn target(&self) -> &Path {
        match self {
            Op::Replace { path, .. } | Op::Create { path, .. } => path,
            Op::Rename { to, .. } => to,
        }
    }
}

/// A set of file changes applied together by [`Changes::commit`]. Taken alone (without a
/// [`Transaction`]) only where there is no product to lock yet, as in `pm init`.
#[derive(Debug, Default)]
pub struct Changes {
    ops: Vec<Op>,
    /// Where the replace of each path is in `ops`: one transaction may stage thousands of
    /// writes (a sprint planned from a long backlog), so a write does not scan the others.
    replaces: std::collections::HashMap<PathBuf, usize>,
    /// Files that can be made again from the product (a published site): all or none still
    /// holds, but nothing waits for the disk.
    regenerable: bool,
}

/// Why a commit did not happen.
#[derive(Debug)]
pub enum CommitError {
    /// A file to create exists already (the caller may retry under another name).
    Exists(PathBuf),
    Other(Error),
}

impl From<CommitError> for Error {
    fn from(e: CommitError) -> Error {
        match e {
            CommitError::Exists(path) => Error::io(&path, std::io::Error::from(std::io::ErrorKind::AlreadyExists)),
            CommitError::Other(e) => e,
        }
    }
}

impl Changes {
    pub fn new() -> Self {
        Self::default()
    }

    /// The contents staged for `path` by the last write or create of it, if any.
    fn staged(&self, path: &Path) -> Option<&[u8]> {
        self.ops.iter().rev().find_map(|op| match op {
            Op::Replace { path: p, contents, .. } | Op::Create { path: p, contents } if p == path => {
                Some(&contents[..])
            }
            _ => None,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Changes to files that can be made again (a published site): the commit is still all or
    /// none, but does not wait for each file to reach the disk. `pm publish` of 10,000 pages
    /// (docs/benchmarks.md, "publish, new folder") spent most of its time in those syncs.
    pub fn regenerable(mut self) -> Self {
        self.regenerable = true;
        self
    }

    /// Replace a file (or create it if it does not exist) with `contents`.
    pub fn write(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        let path = path.into();
        let contents = contents.into();
        if let Some(&at) = self.replaces.get(&path)
            && let Some(Op::Replace { contents: c, .. }) = self.ops.get_mut(at)
        {
            *c = contents;
            return;
        }
        let original = fs::read(&path).ok();
        self.replaces.insert(path.clone(), self.ops.len());
        self.ops.push(Op::Replace { path, contents, original });
    }

    /// Create a new file; the commit fails with [`CommitError::Exists`] if it exists.
    pub fn create(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>) {
        self.ops.push(Op::Create { path: path.into(), contents: contents.into() });
    }

    /// Rename `from` to `to` (which must not exist), after the writes.
    pub fn rename(&mut self, from: impl Into<PathBuf>, to: impl Into<PathBuf>) {
        self.ops.push(Op::Rename { from: from.into(), to: to.into() });
    }

    /// Apply every change, or none. Temporary files a killed `pm` left in the folders written
    /// are removed first ([`sweep_stale`]); the folders are synced after the renames.
    pub fn commit(self) -> Result<(), CommitError> {
        let mut dirs: Vec<&Path> = self.ops.iter().filter_map(|op| op.target().parent()).collect();
        dirs.sort_unstable();
        dirs.dedup();
        for dir in &dirs {
            sweep_stale(dir);
        }
        // The folders of new files, made once each rather than once per file, and removed
        // again if the commit fails.
        let made = make_dirs(&dirs).map_err(CommitError::Other)?;
        // Phase 1: stage every new content next to its target.
        let mut staged: Vec<Option<PathBuf>> = Vec::with_capacity(self.ops.len());
        let cleanup = |staged: &[Option<PathBuf>]| {
            for tmp in staged.iter().flatten() {
                let _ = fs::remove_file(tmp);
            }
            remove_dirs(&made);
        };
        for (n, op) in self.ops.iter().enumerate() {
            let result = match op {
                Op::Replace { path, contents, .. } | Op::Create { path, contents } => {
                    stage(path, contents, n).map(Some)
                }
                Op::Rename { .. } => Ok(None),
            };
            match result {
                Ok(tmp) => staged.push(tmp),
                Err(e) => {
                    cleanup(&staged);
                    return Err(CommitError::Other(e));
                }
            }
        }
        // On disk before a rename makes one the file: after a crash a file is the old or the
        // new version, never an empty one. Synced once all are written, several at a time,
        // so the file system writes them together (`pm import github` of 10,000 issues,
        // docs/benchmarks.md: one at a time, most of its time was waiting for the disk).
        if !self.regenerable
            && let Err(e) = sync_all(&self.ops, &staged)
        {
            cleanup(&staged);
            return Err(CommitError::Other(e));
        }
        // Phase 2: move into place; undo what was done if a step fails.
        let mut done: Vec<usize> = Vec::new();
        for (n, op) in self.ops.iter().enumerate() {
            let result = match (op, &staged[n]) {
                (Op::Replace { path, .. }, Some(tmp)) => {
                    if let Ok(meta) = fs::metadata(path) {
                        let _ = fs::set_permissions(tmp, meta.permissions());
                    }
                    fs::rename(tmp, path).map_err(|e| CommitError::Other(Error::io(path, e)))
                }
                (Op::Create { path, .. }, Some(tmp)) => link_new(tmp, path),
                (Op::Rename { from, to }, _) => rename_new(from, to),
                _ => Ok(()),
            };
            if let Err(e) = result {
                self.undo(&done);
                cleanup(&staged[n..]);
                return Err(e);
            }
            done.push(n);
        }
        // The renames on disk too: after a crash the folder holds the new names. Best effort:
        // a file system that cannot sync a folder has already made the renames.
        if !self.regenerable {
            for dir in &dirs {
                if let Ok(d) = fs::File::open(dir) {
                    let _ = d.sync_all();
                }
            }
        }
        Ok(())
    }

    fn undo(&self, done: &[usize]) {
        for &n in done.iter().rev() {
            match &self.ops[n] {
                Op::Replace { path, original: Some(original), .. } => {
                    if let Ok(tmp) = stage(path, original, n) {
                        // On disk before the rename, as every staged file is.
                        let _ = fs::OpenOptions::new().write(true).open(&tmp).and_then(|f| f.sync_data());
                        let _ = fs::rename(tmp, path);
                    }
                }
                Op::Replace { path, original: None, .. } | Op::Create { path, .. } => {
                    let _ = fs::remove_file(path);
                }
                Op::Rename { from, to } => {
                    let _ = fs::rename(to, from);
                }
            }
        }
    }
}

/// How old a temporary file of a process that is gone must be before it is removed.
const STALE: std::time::Duration = std::time::Duration::from_secs(60);

/// Remove the temporary files ([`layout::temp_name`]) in `dir` that a `pm` stopped mid-write
/// (killed, out of power) left: older than a minute and, where the system tells (Linux's
/// `/proc`), of a process that no longer runs. Called under the product lock, so no other
/// `pm` is writing them. Best effort: a file that cannot be removed stays, and `pm check`
/// reports it.
pub fn sweep_stale(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(layout::temp_pid) else { continue };
        let old = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
        if left_behind(pid) && old.is_some_and(|age| age >= STALE) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether a temporary file of process `pid` was left behind: not this process's, and (where
/// `/proc` tells) of a process that no longer runs.
pub fn left_behind(pid: u32) -> bool {
    let proc = Path::new("/proc/self").exists();
    pid != std::process::id() && !(proc && Path::new(&format!("/proc/{pid}")).exists())
}

/// Make the folders in `dirs` that are missing, parents first; the ones made, for
/// [`remove_dirs`]. On an error, none is left.
fn make_dirs(dirs: &[&Path]) -> Result<Vec<PathBuf>> {
    let mut made: Vec<PathBuf> = Vec::new();
    for dir in dirs {
        let mut missing: Vec<&Path> =
            dir.ancestors().take_while(|a| !a.as_os_str().is_empty() && !a.exists()).collect();
        missing.reverse();
        for m in missing {
            match fs::create_dir(m) {
                Ok(()) => made.push(m.to_path_buf()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => {
                    remove_dirs(&made);
                    return Err(Error::io(m, e));
                }
            }
        }
    }
    Ok(made)
}

/// Remove the folders [`make_dirs`] made, children first (only while empty).
fn remove_dirs(made: &[PathBuf]) {
    for d in made.iter().rev() {
        let _ = fs::remove_dir(d);
    }
}

/// Write `contents` to a temporary file beside `path`.
fn stage(path: &Path, contents: &[u8], n: usize) -> Result<PathBuf> {
    // The folder exists: [`Changes::commit`] made it, or the file being restored was in it.
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|s| s.to_str()).unwrap_or("file");
    let tmp = dir.join(layout::temp_name(name, std::process::id(), n));
    // An error names the file being written (the temporary name means nothing to the user),
    // and leaves no temporary file behind (a full disk fails after the file was created).
    let written = (|| {
        let mut f = fs::OpenOptions::new().write(true).create(true).truncate(true).open(&tmp)?;
        f.write_all(contents)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(tmp)
}

/// Sync every staged file to disk, a few threads at a time; the first failure names its file.
fn sync_all(ops: &[Op], staged: &[Option<PathBuf>]) -> Result<()> {
    let files: Vec<(&Path, &Path)> =
        ops.iter().zip(staged).filter_map(|(op, tmp)| Some((op.target(), tmp.as_deref()?))).collect();
    let sync = |(path, tmp): (&Path, &Path)| -> Result<()> {
        fs::OpenOptions::new().write(true).open(tmp).and_then(|f| f.sync_data()).map_err(|e| Error::io(path, e))
    };
    if files.len() < 16 {
        return files.into_iter().try_for_each(sync);
    }
    let chunk = files.len().div_ceil(8);
    std::thread::scope(|s| {
        let mut handles = Vec::new();
        for part in files.chunks(chunk) {
            // A thread that cannot be made (a constrained container): this part is synced here.
            match std::thread::Builder::new().spawn_scoped(s, move || part.iter().copied().try_for_each(sync)) {
                Ok(h) => handles.push(h),
                Err(_) => part.iter().copied().try_for_each(sync)?,
            }
        }
        handles.into_iter().try_for_each(|h| {
            h.join().unwrap_or_else(|_| Err(Error::bad_argument("a thread syncing the staged files stopped")))
        })
    })
}

/// Move a staged file to a name that must be free: a hard link fails if the name is taken.
fn link_new(tmp: &Path, path: &Path) -> Result<(), CommitError> {
    match fs::hard_link(tmp, path) {
        Ok(()) => {
            let _ = fs::remove_file(tmp);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let _ = fs::remove_file(tmp);
            Err(CommitError::Exists(path.to_path_buf()))
        }
        Err(_) => {
            // A file system without hard links: create-new, then copy the bytes.
            let contents = fs::read(tmp).map_err(|e| CommitError::Other(Error::io(tmp, e)))?;
            let _ = fs::remove_file(tmp);
            let mut f = match fs::OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(CommitError::Exists(path.to_path_buf()));
                }
                Err(e) => return Err(CommitError::Other(Error::io(path, e))),
            };
            f.write_all(&contents).map_err(|e| CommitError::Other(Error::io(path, e)))
        }
    }
}

fn rename_new(from: &Path, to: &Path) -> Result<(), CommitError> {
    if to.exists() {
        return Err(CommitError::Exists(to.to_path_buf()));
    }
    fs::rename(from, to).map_err(|e| CommitError::Other(Error::io(from, e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.md");
        let b = dir.path().join("b.md");
        fs::write(&a, "old").unwrap();
        fs::write(&b, "taken").unwrap();
        let mut t = Changes::new();
        t.write(&a, "new");
        t.create(&b, "mine");
        assert!(matches!(t.commit(), Err(CommitError::Exists(_))));
        assert_eq!(fs::read_to_string(&a).unwrap(), "old");
        assert_eq!(fs::read_to_string(&b).unwrap(), "taken");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "no temporary files left: {names:?}");

        let mut t = Changes::new();
        t.write(&a, "new");
        t.create(dir.path().join("c.md"), "c");
        t.commit().unwrap();
        assert_eq!(fs::read_to_string(&a).unwrap(), "new");
        assert_eq!(fs::read_to_string(dir.path().join("c.md")).unwrap(), "c");
    }

    #[test]
    fn a_failed_commit_removes_the_folders_it_made() {
        let dir = tempfile::tempdir().unwrap();
        let taken = dir.path().join("taken.md");
        fs::write(&taken, "theirs").unwrap();
        let mut t = Changes::new().regenerable();
        t.create(dir.path().join("site/items/S-1.html"), "page");
        t.create(&taken, "mine");
        assert!(matches!(t.commit(), Err(CommitError::Exists(_))));
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("taken.md")], "no folder or temporary file left");
        assert_eq!(fs::read_to_string(&taken).unwrap(), "theirs");
    }

    #[test]
    fn a_failed_replace_undoes_the_files_already_created() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("backlog.md");
        fs::create_dir(&blocker).unwrap();
        fs::write(blocker.join("inside"), "x").unwrap();
        let mut t = Changes::new();
        t.create(dir.path().join("S-1.md"), "story");
        t.write(&blocker, "backlog");
        assert!(matches!(t.commit(), Err(CommitError::Other(_))));
        assert!(!dir.path().join("S-1.md").exists(), "the created file was removed again");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("backlog.md")], "no temporary files left");
    }
}
