//! Allocating new item IDs that do not collide across branches.
//!
//! A new number is one more than the highest in use in the working tree and in every local
//! and remote-tracking branch. Branches are read from git objects through [`Repo`] (tree
//! entries' names only: no blob is read and nothing is checked out); a tree shared by many
//! branches is read once.

use std::collections::{HashMap, HashSet};

use crate::error::Result;
use crate::model::id::{ItemId, Kind};
use crate::store::cache::CacheFile;
use crate::store::odb::{self, TreeEntries};
use crate::store::product::Product;
use crate::store::repo::Repo;

/// The highest number of `kind` in use anywhere we can see, or 0.
pub fn highest_in_use(product: &Product, kind: Kind) -> Result<u64> {
    let prefix = product.config.prefix(kind).to_string();
    let mut highest = 0;
    for path in &product.list_item_files()? {
        let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        match ItemId::from_file_name(&name) {
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
    // A symbolic link named for an item is not read, but its number is taken.
    for link in product.symlinks() {
        let name = link.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
        if let Some(id) = ItemId::from_file_name(&name).filter(|id| id.prefix == prefix) {
            highest = highest.max(id.number);
        }
    }
    for list in [product.backlog_path(), product.roadmap_path()] {
        for e in product.read_list(&list)?.entries() {
            if let Some(id) = ItemId::parse(&e.id).filter(|id| id.prefix == prefix) {
                highest = highest.max(id.number);
            }
        }
    }
    highest = highest.max(highest_in_branches(product, &prefix)?);
    Ok(highest)
}

/// The highest number with `prefix` in file names under the product folder in every local
/// and remote-tracking branch (and a detached HEAD). 0 outside a git repository.
///
/// The highest number under a tree never changes (a tree ID names its content), so it is
/// remembered per tree ID in `<git dir>/pm/ids-PREFIX.cache` (a [`CacheFile`]): after the
/// first add, a repository with hundreds of branches reads only the trees that are new since.
/// A missing, unreadable or damaged file is ignored and rebuilt.
pub fn highest_in_branches(product: &Product, prefix: &str) -> Result<u64> {
    let Some((repo, trees)) = product_trees(product)? else {
        return Ok(0);
    };
    let file = CacheFile::new(repo.common_dir(), &format!("ids-{prefix}.cache"), "pm-ids", 2);
    let body = file.read().body().unwrap_or_default();
    let mut cache: HashMap<git2::Oid, u64> = String::from_utf8_lossy(&body)
        .lines()
        .filter_map(|l| {
            let (oid, max) = l.split_once(' ')?;
            Some((git2::Oid::from_str(oid).ok()?, max.parse().ok()?))
        })
        .collect();
    let known = cache.len();
    let mut highest = 0;
    for tree in trees {
        highest = highest.max(tree_max(&repo, tree, prefix, &mut cache, 0)?);
    }
    if cache.len() != known {
        let body: String = cache.iter().map(|(oid, max)| format!("{oid} {max}\n")).collect();
        file.write(body.as_bytes()); // a read-only repository: no cache, same answer
    }
    Ok(highest)
}

/// The highest number with `prefix` under a tree, from the cache or by reading it.
fn tree_max(
    repo: &Repo,
    tree: git2::Oid,
    prefix: &str,
    cache: &mut HashMap<git2::Oid, u64>,
    depth: usize,
) -> Result<u64> {
    if let Some(max) = cache.get(&tree) {
        return Ok(*max);
    }
    if depth > crate::store::repo::MAX_TREE_DEPTH {
        return Err(crate::store::repo::too_deep(tree, &repo.dir));
    }
    let raw = repo.raw_tree(tree)?;
    let mut max = 0;
    let mut entries = TreeEntries::new(&raw);
    for entry in &mut entries {
        if entry.is_tree() {
            max = max.max(tree_max(repo, entry.id(), prefix, cache, depth + 1)?);
        } else if entry.is_blob()
            && let Some(number) = number_in_name(entry.name, prefix)
        {
            max = max.max(number);
        }
    }
    if !entries.finished() {
        return Err(odb::malformed_tree(tree));
    }
    cache.insert(tree, max);
    Ok(max)
}

/// Every number with `prefix` in file names under the product folder in every local and
/// remote-tracking branch (and a detached HEAD). Empty outside a git repository.
pub fn numbers_in_branches(product: &Product, prefix: &str) -> Result<HashSet<u64>> {
    let mut numbers = HashSet::new();
    let Some((repo, trees)) = product_trees(product)? else {
        return Ok(numbers);
    };
    let mut seen_trees: HashSet<git2::Oid> = HashSet::new();
    for tree in trees {
        scan_tree(&repo, tree, prefix, &mut seen_trees, &mut numbers, 0)?;
    }
    Ok(numbers)
}

/// The repository and the distinct trees of the product folder at every branch tip (local,
/// remote-tracking, and HEAD); `None` outside a git repository. A tip whose commit cannot be
/// read is an error (the repository is damaged), not a branch without IDs.
fn product_trees(product: &Product) -> Result<Option<(Repo, Vec<git2::Oid>)>> {
    let Some(repo) = Repo::discover(product) else {
        return Ok(None);
    };
    let mut seen = HashSet::new();
    let mut trees = Vec::new();
    for tip in repo.branch_tips()? {
        if let Some(tree) = repo.product_tree_of(tip)?
            && seen.insert(tree)
        {
            trees.push(tree);
        }
    }
    Ok(Some((repo, trees)))
}

fn scan_tree(
    repo: &Repo,
    tree: git2::Oid,
    prefix: &str,
    seen: &mut HashSet<git2::Oid>,
    numbers: &mut HashSet<u64>,
    depth: usize,
) -> Result<()> {
    if !seen.insert(tree) {
        return Ok(());
    }
    if depth > crate::store::repo::MAX_TREE_DEPTH {
        return Err(crate::store::repo::too_deep(tree, &repo.dir));
    }
    let raw = repo.raw_tree(tree)?;
    let mut entries = TreeEntries::new(&raw);
    for entry in &mut entries {
        if entry.is_tree() {
            scan_tree(repo, entry.id(), prefix, seen, numbers, depth + 1)?;
        } else if entry.is_blob()
            && let Some(number) = number_in_name(entry.name, prefix)
        {
            numbers.insert(number);
        }
    }
    if !entries.finished() {
        return Err(odb::malformed_tree(tree));
    }
    Ok(())
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
