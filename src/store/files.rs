//! The files of `product/` at one point: their paths and bytes, from the working tree
//! ([`Files::work_tree`]) or from a commit ([`crate::store::repo::Repo::files_at`]).
//!
//! [`Files`] holds every file [`layout::role`] gives a role, keyed by its path inside the
//! product folder. `pm check` reads nothing else, so it never touches the file system or git
//! itself.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::model::layout::{self, PRODUCT_DIR};
use crate::store::product::{BadUtf8, Unlisted, parallel_map, path_in, read_file, slash_path};
use crate::store::repo::work_tree_of;

/// The bytes of a file, if they are text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Text(String),
    NotUtf8(BadUtf8),
    /// The file's name (or a folder's) is not UTF-8: its `rel` shows it with U+FFFD. Whether
    /// it holds an item, as its bytes tell; nothing else is read from it.
    NameNotUtf8 {
        item: bool,
    },
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
            Content::NotUtf8(_) | Content::NameNotUtf8 { .. } => None,
        }
    }
}

/// The files of a product folder at one point in time.
#[derive(Debug, Clone, Default)]
pub struct Files {
    /// The product folder's path from the repository root (`product`), `/`-separated.
    pub product_dir: String,
    /// Sorted by `rel` (so looked up by binary search).
    files: Vec<File>,
    /// Temporary files a `pm` stopped mid-write left in the working tree, by shown path.
    pub leftovers: Vec<String>,
    /// Symbolic links in the working tree's product folder, by shown path: never followed.
    pub links: Vec<String>,
    /// Files and folders of the working tree that could not be read or listed (their
    /// permissions), by shown path: the rest is read, and `pm check` reports these.
    pub unreadable: Vec<Unreadable>,
    /// Copies `git mergetool` left in the working tree (`..._BASE_123.md`), by shown path.
    pub mergetool: Vec<String>,
}

/// A file that could not be read, or a folder that could not be listed.
#[derive(Debug, Clone)]
pub struct Unreadable {
    /// Shown path.
    pub path: String,
    pub folder: bool,
    /// The operating system's reason.
    pub reason: String,
}

impl Files {
    /// A snapshot from `(path inside product/, bytes)` pairs, and the same for the files that
    /// would be read but whose paths are not UTF-8 (made UTF-8 with U+FFFD).
    pub fn new(product_dir: &str, contents: Vec<(String, Vec<u8>)>, bad_names: Vec<(String, Vec<u8>)>) -> Files {
        let file = |rel: String, content| {
            let path = if product_dir.is_empty() { rel.clone() } else { format!("{product_dir}/{rel}") };
            File { rel, path, content }
        };
        let in_kind_folder = |rel: &str| matches!(layout::role(rel), layout::Role::Item { kind: Some(_) });
        let mut files: Vec<File> = contents
            .into_iter()
            .map(|(rel, bytes)| match String::from_utf8(bytes) {
                Ok(t) => file(rel, Content::Text(t)),
                Err(e) => {
                    let bad = BadUtf8::at(e.as_bytes(), e.utf8_error().valid_up_to());
                    file(rel, Content::NotUtf8(bad))
                }
            })
            .chain(bad_names.into_iter().map(|(rel, bytes)| {
                let item = match std::str::from_utf8(&bytes) {
                    Ok(text) => layout::holds_item(&rel, text),
                    Err(_) => in_kind_folder(&rel),
                };
                file(rel, Content::NameNotUtf8 { item })
            }))
            .collect();
        files.sort_unstable_by(|a, b| a.rel.cmp(&b.rel));
        Files { product_dir: product_dir.to_string(), files, ..Files::default() }
    }

    /// The product folder in the working tree. Paths are shown from the root of the git work
    /// tree holding it, or from the folder holding `product/` outside git.
    pub fn work_tree(product_root: &Path) -> Result<Files> {
        let (root, product_dir) = product_dir_from_top(product_root);
        let mut paths: Vec<PathBuf> = Vec::new();
        let mut leftovers = Vec::new();
        let mut links = Vec::new();
        // Hidden folders and files are not read; a temporary file of pm's is looked at by name.
        let is_temp = |e: &walkdir::DirEntry| e.file_name().to_str().and_then(layout::temp_pid);
        let walker = walkdir::WalkDir::new(&root).into_iter().filter_entry(|e| {
            e.depth() == 0
                || !layout::is_hidden(&e.file_name().to_string_lossy())
                || (e.file_type().is_file() && is_temp(e).is_some())
        });
        let mut unreadable = Vec::new();
        let mut mergetool = Vec::new();
        let shown_path = |path: &Path| {
            let rel = slash_path(path_in(path, &root).unwrap_or(path));
            match (product_dir.is_empty(), rel.is_empty()) {
                (true, _) => rel,
                (false, true) => product_dir.clone(),
                (false, false) => format!("{product_dir}/{rel}"),
            }
        };
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let unlisted = Unlisted::new(&e, &root);
                    let folder = unlisted.path.is_dir();
                    let reason = unlisted.error().to_string();
                    unreadable.push(Unreadable { path: shown_path(&unlisted.path), folder, reason });
                    continue;
                }
            };
            let shown = |entry: &walkdir::DirEntry| shown_path(entry.path());
            if entry.depth() > 0 && entry.path_is_symlink() {
                links.push(shown(&entry));
                continue;
            }
            if entry.file_type().is_file() && layout::is_mergetool_copy(&entry.file_name().to_string_lossy()) {
                mergetool.push(shown(&entry));
                continue;
            }
            if let Some(pid) = is_temp(&entry) {
                if crate::store::transaction::left_behind(pid) {
                    leftovers.push(shown(&entry));
                }
                continue;
            }
            // A name that is not UTF-8 is judged by its UTF-8 form (U+FFFD for each bad byte),
            // and kept so that `pm check` reports it.
            if entry.file_type().is_file()
                && layout::is_read_name(&entry.file_name().to_string_lossy(), entry.depth() == 1)
            {
                paths.push(entry.into_path());
            }
        }
        let read = parallel_map(&paths, |p| read_file(p));
        let (mut contents, mut bad_names) = (Vec::with_capacity(paths.len()), Vec::new());
        for (p, bytes) in paths.iter().zip(read) {
            let rel = path_in(p, &root).unwrap_or(p);
            let bytes = match bytes {
                Ok(bytes) => bytes,
                // Gone since the walk (another program removed it): not there to report.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    unreadable.push(Unreadable { path: shown_path(p), folder: false, reason: e.to_string() });
                    continue;
                }
            };
            let to = if rel.to_str().is_some() { &mut contents } else { &mut bad_names };
            to.push((slash_path(rel), bytes));
        }
        let mut files = Files::new(&product_dir, contents, bad_names);
        leftovers.sort_unstable();
        files.leftovers = leftovers;
        links.sort_unstable();
        files.links = links;
        unreadable.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        files.unreadable = unreadable;
        mergetool.sort_unstable();
        files.mergetool = mergetool;
        Ok(files)
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
            Content::NotUtf8(_) => matches!(layout::role(&f.rel), layout::Role::Item { kind: Some(_) }),
            Content::NameNotUtf8 { item } => *item,
        })
    }

    /// The texts of 1-based `lines` (ascending) of the file shown as `path`, without their line
    /// endings, in one pass over the file: a check with 100,000 findings in one backlog reads
    /// it once, not once per finding.
    pub fn lines_at(&self, path: &str, lines: &[usize]) -> Vec<Option<String>> {
        let Some(text) = self.by_path(path).and_then(File::text) else { return vec![None; lines.len()] };
        let mut file_lines = text.split('\n').enumerate();
        let mut current: Option<(usize, &str)> = None;
        lines
            .iter()
            .map(|&line| {
                let want = line.checked_sub(1)?;
                while current.is_none_or(|(i, _)| i < want) {
                    current = Some(file_lines.next()?);
                }
                current.filter(|(i, _)| *i == want).map(|(_, l)| l.trim_end_matches('\r').to_string())
            })
            .collect()
    }

    /// The text of 1-based `line` of the file shown as `path`, without its line ending.
    pub fn line_at(&self, path: &str, line: usize) -> Option<String> {
        let text = self.by_path(path)?.text()?;
        text.split('\n').nth(line.checked_sub(1)?).map(|l| l.trim_end_matches('\r').to_string())
    }
}

/// The product folder, canonical, and its path from the top that every path pm reports is
/// relative to: the git work tree holding it, or outside git the folder holding `product/`.
pub fn product_dir_from_top(product_root: &Path) -> (PathBuf, String) {
    let root = product_root.canonicalize().unwrap_or_else(|_| product_root.to_path_buf());
    let base = work_tree_of(&root)
        .filter(|w| root.starts_with(w))
        .or_else(|| root.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| root.clone());
    let dir = slash_path(root.strip_prefix(&base).unwrap_or(Path::new(PRODUCT_DIR)));
    (root, dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_skip_lists_and_notes_without_front_matter() {
        let s = Files::new(
            "product",
            vec![
                ("backlog.md".into(), b"# B\n".to_vec()),
                ("notes.md".into(), b"just notes\n".to_vec()),
                ("extra.md".into(), b"---\nid: S-9\n---\n".to_vec()),
                ("stories/S-1-a.md".into(), b"no front matter\n".to_vec()),
            ],
            vec![
                ("notes/caf\u{fffd}.md".into(), b"notes\n".to_vec()),
                ("S-2-\u{fffd}.md".into(), b"---\nid: S-2\n---\n".to_vec()),
            ],
        );
        let rels: Vec<_> = s.item_candidates().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["S-2-\u{fffd}.md", "extra.md", "stories/S-1-a.md"]);
        assert_eq!(s.get("extra.md").unwrap().path, "product/extra.md");
        assert_eq!(s.line_at("product/extra.md", 2).as_deref(), Some("id: S-9"));
        let lines = |want: &[usize]| s.lines_at("product/extra.md", want);
        let some = |t: &str| Some(t.to_string());
        assert_eq!(
            lines(&[0, 1, 2, 2, 3, 4, 9]),
            [None, some("---"), some("id: S-9"), some("id: S-9"), some("---"), some(""), None]
        );
        assert_eq!(s.lines_at("product/nothing.md", &[1]), [None]);
    }
}
