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
                if let Some(id) = entry.name().ok().and_then(ItemId::from_file_name)
                    && id.prefix == prefix
                {
                    numbers.insert(id.number);
                }
            }
            _ => {}
        }
    }
}
