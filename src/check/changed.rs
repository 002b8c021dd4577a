//! `pm check --changed-since REV`: which findings concern what changed since the merge-base
//! with REV, so a team can gate every new or edited item without first fixing an old backlog.
//!
//! An item file counts as changed when it is new or its bytes differ from the merge-base (git
//! blob IDs are compared; nothing is checked out). In `backlog.md` and `roadmap.md`, only lines
//! that did not exist at the merge-base count, so adding one story does not bring back every
//! old finding of the backlog.

use std::collections::{HashMap, HashSet};

use crate::check::Report;
use crate::error::{Error, Result};
use crate::model::layout::{BACKLOG_FILE, ROADMAP_FILE};
use crate::store::files::Files;
use crate::store::repo::Repo;

/// What changed between the merge-base and the checked snapshot.
#[derive(Debug, Default)]
pub struct Changes {
    /// Shown paths of files that are new or differ.
    pub files: HashSet<String>,
    /// Shown paths of list files, with their 1-based lines that are new.
    pub new_lines: HashMap<String, HashSet<usize>>,
    /// The merge-base compared with (for the files beside the product).
    pub base: Option<git2::Oid>,
}

/// Compare `snapshot` (the working tree when `head` is `None`, else commit `head`) with the
/// merge-base of its commit and `since`.
pub fn since(repo: &Repo, snapshot: &Files, head: Option<&str>, since: &str) -> Result<Changes> {
    let base = repo.merge_base_with(head, since)?;
    let entries: HashMap<String, git2::Oid> = repo.file_ids_at(base)?.into_iter().collect();
    let mut changes = Changes { base: Some(base), ..Changes::default() };
    for file in snapshot.files() {
        let bytes = Files::bytes(file).unwrap_or(&[]);
        let oid = git2::Oid::hash_object(git2::ObjectType::Blob, bytes).map_err(Error::git)?;
        let old = entries.get(&file.rel);
        if old == Some(&oid) {
            continue;
        }
        changes.files.insert(file.path.clone());
        if matches!(file.rel.as_str(), BACKLOG_FILE | ROADMAP_FILE) {
            let old_text = match old {
                Some(o) => String::from_utf8_lossy(&repo.blob(*o)?).into_owned(),
                None => String::new(),
            };
            let old_lines: HashSet<&str> = old_text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
            let new: HashSet<usize> = file
                .text()
                .unwrap_or("")
                .split('\n')
                .enumerate()
                .filter(|(_, l)| !old_lines.contains(l.trim_end_matches('\r')))
                .map(|(i, _)| i + 1)
                .collect();
            changes.new_lines.insert(file.path.clone(), new);
        }
    }
    Ok(changes)
}

/// Keep only the findings that concern a change: in a changed item file, about an item whose
/// file changed, relating to a changed file, or on a new line of a list file.
pub fn filter(report: &mut Report, changes: &Changes) {
    let item_changed = |id: &Option<String>| {
        id.as_ref().and_then(|id| report.items.get(id)).is_some_and(|p| changes.files.contains(p))
    };
    let keep: Vec<bool> = report
        .findings
        .iter()
        .map(|f| {
            if let Some(lines) = changes.new_lines.get(&f.path) {
                return lines.contains(&f.line) || item_changed(&f.id);
            }
            changes.files.contains(&f.path)
                || item_changed(&f.id)
                || f.related.iter().any(|r| changes.files.contains(&r.path))
        })
        .collect();
    let mut keep = keep.into_iter();
    report.findings.retain(|_| keep.next().unwrap_or(false));
}
