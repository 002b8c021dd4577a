//! Allocating new item IDs that do not collide across branches.
//!
//! A new number is one more than the highest in use in the working tree and in every local
//! and remote-tracking branch. Branches are read from git objects (tree entries' names only,
//! no blob is read and nothing is checked out); a tree shared by many branches is read once.

use std::collections::HashSet;
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::id::{ItemId, Kind};
use crate::store::product::Product;

/// The highest number of `kind` in use anywhere we can see, or 0.
pub fn highest_in_use(product: &Product, kind: Kind) -> Result<u64> {
    let prefix = product.config.prefix(kind).to_string();
    let mut highest = 0;
    for path in &product.list_item_files() {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match ItemId::from_file_name(name) {
            Some(id) if id.prefix == prefix => highest = highest.max(id.number),
            Some(_) => {}
            // A file not named after its ID: read its front matter.
            None => {
                if let Ok(item) = product.load_file(path)
                    && item.id.prefix == prefix
                {
                    highest = highest.max(item.id.number);
                }
            }
        }
    }
    for list in [product.backlog_path(), product.roadmap_path()] {
        for e in product.read_list(&list)?.entries() {
            if let Some(id) = ItemId::parse(&e.id).filter(|id| id.prefix == prefix) {
                highest = highest.max(id.number);
            }
        }
    }
    highest = highest.max(highest_in_branches(&product.root, &prefix)?);
    Ok(highest)
}

/// The highest number with `prefix` in file names under the product folder in every local
/// and remote-tracking branch (and a detached HEAD). 0 outside a git repository.
pub fn highest_in_branches(product_root: &Path, prefix: &str) -> Result<u64> {
    Ok(numbers_in_branches(product_root, prefix)?.into_iter().max().unwrap_or(0))
}

/// Every number with `prefix` in file names under the product folder in every local and
/// remote-tracking branch (and a detached HEAD). Empty outside a git repository.
pub fn numbers_in_branches(product_root: &Path, prefix: &str) -> Result<HashSet<u64>> {
    let mut numbers = HashSet::new();
    let Ok(repo) = git2::Repository::discover(product_root) else {
        return Ok(numbers);
    };
    let Some(workdir) = repo.workdir() else {
        return Ok(numbers);
    };
    let workdir = workdir.canonicalize().unwrap_or_else(|_| workdir.to_path_buf());
    let root = product_root.canonicalize().unwrap_or_else(|_| product_root.to_path_buf());
    let Ok(rel) = root.strip_prefix(&workdir) else {
        return Ok(numbers);
    };
    // Objects are read from the repository's own store, as git reads them; verifying each
    // one's hash again was a third of the time of `pm story add` with 200 branches of a
    // 10,000-story product (docs/benchmarks.md).
    git2::opts::strict_hash_verification(false);
    let mut seen_trees: HashSet<git2::Oid> = HashSet::new();
    let mut tips: Vec<git2::Oid> = Vec::new();
    if let Ok(head) = repo.head()
        && let Some(oid) = head.target()
    {
        tips.push(oid);
    }
    let refs = repo.references().map_err(Error::git)?;
    for r in refs.flatten() {
        let is_branch = r.is_branch() || r.is_remote();
        if !is_branch {
            continue;
        }
        if let Ok(commit) = r.peel_to_commit() {
            tips.push(commit.id());
        }
    }
    let mut seen_commits = HashSet::new();
    for oid in tips {
        if !seen_commits.insert(oid) {
            continue;
        }
        let Ok(commit) = repo.find_commit(oid) else { continue };
        let Ok(tree) = commit.tree() else { continue };
        let product_tree = if rel.as_os_str().is_empty() {
            tree
        } else {
            match tree.get_path(rel).ok().and_then(|e| e.to_object(&repo).ok()).and_then(|o| o.into_tree().ok()) {
                Some(t) => t,
                None => continue,
            }
        };
        scan_tree(&repo, &product_tree, prefix, &mut seen_trees, &mut numbers);
    }
    Ok(numbers)
}

fn scan_tree(
    repo: &git2::Repository,
    tree: &git2::Tree,
    prefix: &str,
    seen: &mut HashSet<git2::Oid>,
    numbers: &mut HashSet<u64>,
) {
    if !seen.insert(tree.id()) {
        return;
    }
    for entry in tree.iter() {
        match entry.kind() {
            Some(git2::ObjectType::Tree) => {
                if let Ok(sub) = repo.find_tree(entry.id()) {
                    scan_tree(repo, &sub, prefix, seen, numbers);
                }
            }
            Some(git2::ObjectType::Blob) => {
                if let Some(number) = number_in_name(entry.name_bytes(), prefix) {
                    numbers.insert(number);
                }
            }
            _ => {}
        }
    }
}

/// The number of a file named `PREFIX-N.md` or `PREFIX-N-slug.md` whose prefix is `prefix`,
/// as [`ItemId::from_file_name`] reads it, without allocating: 200 branches of a
/// 10,000-story product are two million names.
fn number_in_name(name: &[u8], prefix: &str) -> Option<u64> {
    let stem = name.strip_suffix(b".md")?;
    let rest = stem.strip_prefix(prefix.as_bytes())?.strip_prefix(b"-")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let after = &rest[digits..];
    if digits == 0 || !(after.is_empty() || after.starts_with(b"-")) || (digits > 1 && rest[0] == b'0') {
        return None;
    }
    std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_in_name_reads_names_as_item_ids_do() {
        let names = [
            "S-12-reset-password.md",
            "S-12.md",
            "S-012-x.md",
            "S-0.md",
            "S-12x.md",
            "S-.md",
            "S-12-a.txt",
            "SS-3-a.md",
            "E-4-epic.md",
            "S-99999999999999999999999.md",
            "notes.md",
        ];
        for name in names {
            let expected = ItemId::from_file_name(name).filter(|id| id.prefix == "S").map(|id| id.number);
            assert_eq!(number_in_name(name.as_bytes(), "S"), expected, "{name}");
        }
    }
}
