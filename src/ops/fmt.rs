//! `pm fmt`: put the backlog and roadmap in canonical form and file names in line with IDs.
//!
//! Canonical form: one line per open item, the first of repeated lines kept, titles and links
//! refreshed, closed items removed, open items that were missing appended (stories at the end of
//! the backlog, epics under `## Later`), in ID order. Lines naming no item are removed only when
//! every file could be read (otherwise the item may be in the unreadable file). Every other line
//! (headings, comments, prose) is kept byte for byte. A file that cannot be parsed is reported
//! and left alone.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::id::{ItemId, Kind};
use crate::model::item::Item;
use crate::model::listfile::ListFile;
use crate::ops::add::file_name;
use crate::store::product::Product;
use crate::store::transaction::{Changes, Transaction};

/// One change `pm fmt` makes (or would make).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The file changed, as shown to the user.
    pub path: PathBuf,
    /// 1-based line in the file before the change, when it concerns one line.
    pub line: Option<usize>,
    pub what: String,
}

/// What formatting does: the changes, the files it could not read, and the writes.
#[derive(Debug, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Files left alone because they could not be parsed.
    pub skipped: Vec<Error>,
    /// Renames that could not be made (the name is taken).
    pub notes: Vec<Change>,
    writes: Changes,
}

impl Plan {
    /// Apply the changes atomically, in a transaction taken before the plan was made (so no
    /// other command can change the files in between).
    pub fn apply(self, tx: &mut Transaction) -> Result<()> {
        if self.writes.is_empty() {
            return Ok(());
        }
        tx.extend(self.writes);
        tx.commit()?;
        Ok(())
    }
}

/// Work out every change, writing nothing. To apply it, plan inside a transaction and hand the
/// plan to [`Plan::apply`].
pub fn plan(product: &Product) -> Result<Plan> {
    let (items, skipped) = product.load_all_lenient();
    let mut plan = Plan { skipped, ..Plan::default() };
    let mut count: HashMap<&ItemId, usize> = HashMap::new();
    for i in &items.all {
        *count.entry(&i.id).or_default() += 1;
    }
    let lists = [(product.backlog_path(), Kind::Story), (product.roadmap_path(), Kind::Epic)];
    let texts = lists.iter().map(|(path, _)| product.read_list_text(path)).collect::<Result<Vec<_>>>()?;
    // Files whose `id:` was most likely mistyped: left alone, their lines too (see
    // `Relabelled`). Keyed by the line's ID; the file is not renamed, the ID it says not added.
    let by_id: HashMap<String, &Item> = items.all.iter().rev().map(|i| (i.id.to_string(), i)).collect();
    let mut relabelled: HashMap<String, String> = HashMap::new();
    let mut keep_name: HashSet<&Path> = HashSet::new();
    for ((path, kind), text) in lists.iter().zip(&texts) {
        let entries = ListFile::parse(text).entries();
        for (r, item) in items.relabelled(&entries, *kind) {
            keep_name.insert(&item.path);
            plan.notes.push(Change {
                path: product.shown(path),
                line: Some(r.entry.line + 1),
                what: format!("left alone: {}; {}", r.message(), r.hint()),
            });
            relabelled.insert(r.entry.id.clone(), r.says.clone());
        }
    }
    // File names.
    let mut rel: HashMap<String, String> = HashMap::new();
    let mut taken: HashSet<PathBuf> = HashSet::new();
    for item in &items.all {
        let name = item.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let id = item.id.to_string();
        if ItemId::from_file_name(name).as_ref() == Some(&item.id)
            || count[&item.id] > 1
            || keep_name.contains(item.path.as_path())
        {
            rel.entry(id).or_insert_with(|| item.rel.clone());
            continue;
        }
        let to = item.path.with_file_name(file_name(&item.id, &item.title));
        if to.exists() || !taken.insert(to.clone()) {
            plan.notes.push(Change {
                path: product.shown(&item.path),
                line: None,
                what: format!("not renamed: {} exists", product.shown(&to).display()),
            });
            rel.entry(id).or_insert_with(|| item.rel.clone());
            continue;
        }
        plan.changes.push(Change {
            path: product.shown(&item.path),
            line: None,
            what: format!("rename to {}", product.shown(&to).display()),
        });
        rel.insert(id, product.rel(&to));
        plan.writes.rename(&item.path, &to);
    }
    // IDs two files carry (two branches each made one): their lines wait for a renumber.
    let shared: HashSet<String> = count.iter().filter(|(_, n)| **n > 1).map(|(id, _)| id.to_string()).collect();
    let safe_to_drop_unknown = plan.skipped.is_empty();
    for ((path, kind), text) in lists.into_iter().zip(texts) {
        let mut open: Vec<&Item> =
            items.all.iter().filter(|i| i.kind == kind && !product.config.is_closed(&i.status)).collect();
        open.sort_by(|a, b| a.id.cmp(&b.id));
        open.dedup_by(|a, b| a.id == b.id);
        let shown = product.shown(&path);
        let new = format_list(
            &text,
            kind,
            &open,
            (&by_id, &shared),
            (&rel, &relabelled),
            safe_to_drop_unknown,
            product,
            &shown,
            (&mut plan.changes, &mut plan.notes),
        );
        if new != text {
            plan.writes.write(&path, new);
        }
    }
    Ok(plan)
}

#[allow(clippy::too_many_arguments)]
fn format_list(
    text: &str,
    kind: Kind,
    open: &[&Item],
    (by_id, shared): (&HashMap<String, &Item>, &HashSet<String>),
    (rel, relabelled): (&HashMap<String, String>, &HashMap<String, String>),
    drop_unknown: bool,
    product: &Product,
    shown: &Path,
    (changes, notes): (&mut Vec<Change>, &mut Vec<Change>),
) -> String {
    let change = |line: Option<usize>, what: String| Change { path: shown.to_path_buf(), line, what };
    let list = ListFile::parse(text);
    // A damaged line still holds its item's place: the item is not added again at the bottom.
    let mut damaged: HashSet<String> = relabelled.values().cloned().collect();
    let open_ids: HashSet<String> = open.iter().map(|i| i.id.to_string()).collect();
    for (n, id) in list.malformed(product.config.prefix(kind)) {
        // Only an open item of the list's kind would be added: the line holds its place.
        let id = id.filter(|id| open_ids.contains(id));
        let what = match &id {
            Some(id) => format!(
                "{}; left as it is, and {id} is not added again (`pm check` shows how to write it)",
                crate::model::listfile::malformed_message(Some(id))
            ),
            None => format!(
                "{}; left as it is (`pm check` shows how to write it)",
                crate::model::listfile::malformed_message(None)
            ),
        };
        notes.push(change(Some(n + 1), what));
        damaged.extend(id);
    }
    let mut drop: HashSet<usize> = HashSet::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut refresh: Vec<(String, String, String)> = Vec::new();
    let entries = list.entries();
    // The last two entries kept so far in each section (indexes into `entries`): the line a
    // repeat would follow, found without scanning back (a backlog of 100,000 repeats).
    let mut kept: HashMap<Option<&str>, [Option<usize>; 2]> = HashMap::new();
    for (n, e) in entries.iter().enumerate() {
        let line = Some(e.line + 1);
        let dropped_before = drop.len();
        'decide: {
            if shared.contains(&e.id) {
                if seen.insert(e.id.clone(), e.line).is_none() {
                    let what = format!(
                        "left alone: two files carry {0}; give one a new ID first: pm renumber {0} <NEW-ID> --file <its file>",
                        e.id
                    );
                    notes.push(change(line, what));
                }
                break 'decide;
            }
            if let Some(first) = seen.get(&e.id) {
                drop.insert(e.line);
                // A repeat can be a move a line-by-line merge kept next to the old place: say how
                // to choose this place instead.
                let last = kept.get(&e.section.as_deref()).copied().unwrap_or_default();
                let before = last.iter().rev().flatten().map(|&k| &entries[k]).find(|p| p.id != e.id);
                let place = match (kind, before, &e.section) {
                    (Kind::Epic, Some(p), Some(h)) => {
                        format!("pm roadmap move {} {} --after {}", e.id, h.to_lowercase(), p.id)
                    }
                    (Kind::Epic, None, Some(h)) => format!("pm roadmap move {} {} --top", e.id, h.to_lowercase()),
                    (_, Some(p), _) => format!("pm rank {} --after {}", e.id, p.id),
                    (_, None, _) => format!("pm rank {} --top", e.id),
                };
                let what = format!(
                    "remove {} (listed twice; kept line {}; to keep this place instead: {place})",
                    e.id,
                    first + 1
                );
                changes.push(change(line, what));
                break 'decide;
            }
            seen.insert(e.id.clone(), e.line);
            match by_id.get(&e.id).filter(|i| i.kind == kind) {
                None if relabelled.contains_key(&e.id) => {}
                None if drop_unknown => {
                    drop.insert(e.line);
                    changes.push(change(line, format!("remove {} (names no {kind})", e.id)));
                }
                None => {}
                Some(item) if product.config.is_closed(&item.status) => {
                    drop.insert(e.line);
                    changes.push(change(line, format!("remove {} ({})", e.id, item.status)));
                }
                Some(item) => {
                    let link = rel.get(&e.id).cloned().unwrap_or_else(|| item.rel.clone());
                    if e.title != item.title || e.link != link {
                        changes.push(change(line, format!("refresh the line of {}", e.id)));
                        refresh.push((e.id.clone(), link, item.title.clone()));
                    }
                }
            }
        }
        if drop.len() == dropped_before {
            let last = kept.entry(e.section.as_deref()).or_default();
            *last = [last[1], Some(n)];
        }
    }
    let kept: String =
        text.split_inclusive('\n').enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, l)| l).collect();
    let mut list = ListFile::parse(&kept);
    for (id, link, title) in refresh {
        list.replace(&id, &link, &title);
    }
    let missing: Vec<&&Item> = (open.iter())
        .filter(|i| {
            let id = i.id.to_string();
            !seen.contains_key(&id) && !damaged.contains(&id)
        })
        .collect();
    if !missing.is_empty() && text.trim().is_empty() {
        list = ListFile::parse(&match kind {
            Kind::Story => ListFile::new_backlog(),
            _ => ListFile::new_roadmap(),
        });
    }
    for item in missing {
        let id = item.id.to_string();
        let link = rel.get(&id).cloned().unwrap_or_else(|| item.rel.clone());
        let line = ListFile::entry_line(&id, &link, &item.title);
        match kind {
            Kind::Story => list.insert_at(usize::MAX, line),
            _ => list.insert_in_section("Later", usize::MAX, line),
        }
        changes.push(change(None, format!("add {id} ({})", item.status)));
    }
    list.text()
}
