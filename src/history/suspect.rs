//! Suspect links: open stories (and epics) whose parent changed in substance after them.
//!
//! A child is *suspect* when its parent (a story's epic, an epic's vision) changed in substance
//! (title, prose, the text of a criterion: [`is_substance`]) in a commit later than the child's
//! own last change of substance (its creation, title, prose, criteria text, or its parent link)
//! or than its review. A `reviewed` mark with the parent's fingerprint
//! ([`crate::model::review`]) decides on its own while it matches; once the parent's
//! substance no longer hashes to it, the review is spent and only the child's own edits count.
//! A mark with only a day counts from the commit that wrote it. Uncommitted edits in the
//! working tree are the last step. Closed children are not suspect: they were delivered
//! against the parent as it was.
//!
//! The order is that of the first-parent line, so work merged from a branch counts from its
//! merge, as everywhere in the history.

use std::collections::HashMap;

use crate::error::Result;
use crate::history::cache::CommitInfo;
use crate::history::changes::{Change, What};
use crate::history::walk::History;
use crate::model::config::Config;
use crate::model::id::Kind;
use crate::model::review::{self, Review};
use crate::store::product::{Items, Product};
use crate::store::repo::Repo;

/// One step of the product's history: a commit (`None`: the working tree's uncommitted edits)
/// and what it changed.
pub struct Step<'a> {
    pub commit: Option<&'a CommitInfo>,
    pub changes: &'a [Change],
}

/// A suspect child.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Suspect {
    pub id: String,
    pub kind: Kind,
    pub parent: String,
    /// The commit whose change of the parent came after the child; `None` when the change is
    /// uncommitted, or not in the history that is there (a shallow clone, a review whose
    /// fingerprint no longer matches a parent that changed before the history starts).
    pub commit: Option<CommitInfo>,
    /// The change is in the working tree, not committed.
    pub uncommitted: bool,
    /// What the parent's changes the child has not seen changed, oldest first, one sentence each.
    pub changed: Vec<String>,
    /// The child's `reviewed` mark, when it no longer matches the parent.
    pub stale_review: Option<String>,
}

/// Whether a change of an item changes its substance (what children are written against).
pub fn is_substance(c: &Change) -> bool {
    matches!(&c.what, What::Described {} | What::AcAdded { .. } | What::AcRemoved { .. } | What::AcEdited { .. })
        || matches!(&c.what, What::Field { field, .. } if field == "title")
}

/// Per ID: the last step that changed its substance (with those changes), the last one the
/// item itself changed in a way that reads its parent again, and the last one that wrote a
/// `reviewed` mark.
#[derive(Default)]
struct Last<'a> {
    /// Every change of substance, with its step.
    substance: Vec<(usize, &'a Change)>,
    /// The step that created it (under its current ID or an old one).
    created: Option<(usize, &'a Change)>,
    seen: Option<usize>,
    review: Option<usize>,
}

/// The suspect children among `items`, given the steps of history oldest first.
/// `print_after(commit, path)` is the fingerprint of the item file at `path` (relative to
/// `product/`) at that commit, `None` when it cannot be read: with a review that no longer
/// matches, the reviewer saw the parent as it was at the last commit where it still hashed to
/// the mark, and only the changes after that are told (a review merged from a branch saw the
/// changes made on `main` before the branch was cut, whichever order the first-parent line
/// gives).
pub fn find(
    items: &Items,
    config: &Config,
    steps: &[Step],
    print_after: &mut dyn FnMut(&CommitInfo, &str) -> Option<String>,
) -> Vec<Suspect> {
    let mut last: HashMap<&str, Last> = HashMap::new();
    for (i, step) in steps.iter().enumerate() {
        // A renumbered item keeps what it had under its old ID; the links that follow the new
        // ID in the same step (`pm renumber` rewrites them) are not a reading of the parent.
        let renumbers: Vec<(&str, &str)> = step
            .changes
            .iter()
            .filter_map(|c| match &c.what {
                What::Renumbered { from, to, .. } => Some((from.as_str(), to.as_str())),
                _ => None,
            })
            .collect();
        for (from, to) in &renumbers {
            if let Some(old) = last.remove(from) {
                last.insert(to, old);
            }
        }
        for c in step.changes {
            let entry = last.entry(c.id.as_str()).or_default();
            if is_substance(c) {
                entry.substance.push((i, c));
                entry.seen = Some(i);
            }
            match &c.what {
                What::Created { .. } => {
                    entry.seen = Some(i);
                    entry.created = Some((i, c));
                }
                What::Field { field, from, to } if field == "epic" || field == "vision" => {
                    let follows =
                        renumbers.iter().any(|(f, t)| from.as_deref() == Some(*f) && to.as_deref() == Some(*t));
                    if !follows {
                        entry.seen = Some(i);
                    }
                }
                What::Field { field, to: Some(_), .. } if field == review::FIELD => entry.review = Some(i),
                _ => {}
            }
        }
    }
    let none = Last::default();
    let mut out = Vec::new();
    // Each parent's fingerprint, computed once.
    let mut prints: HashMap<String, String> = HashMap::new();
    for child in items.all.iter().filter(|i| matches!(i.kind, Kind::Story | Kind::Epic)) {
        if config.is_closed(&child.status) {
            continue;
        }
        let Some(field) = review::parent_field(child.kind) else { continue };
        let Some(parent) = child.get(field).and_then(|p| items.get(&p)) else { continue };
        let parent_id = parent.id.to_string();
        let child_id = child.id.to_string();
        let mine = last.get(child_id.as_str()).unwrap_or(&none);
        let theirs = last.get(parent_id.as_str()).unwrap_or(&none);
        let mark = child.get(review::FIELD).and_then(|t| Review::parse(&t));
        let (seen, stale) = match &mark {
            Some(Review { against: Some((p, print)), .. }) if *p == parent_id => {
                let now = prints.entry(parent_id.clone()).or_insert_with(|| review::fingerprint(parent));
                if print == now {
                    continue;
                }
                (mine.seen, true)
            }
            // A mark with only a day: reviewed when it was written.
            Some(Review { against: None, .. }) => (mine.seen.max(mine.review), false),
            // No mark, or one against another parent: the child's own edits.
            _ => (mine.seen, false),
        };
        // The parent's changes the child has not seen (with a spent review, one step that
        // changed both, such as a merge, does not count as seen).
        let unseen: Vec<&(usize, &Change)> =
            theirs.substance.iter().filter(|(at, _)| seen.is_none_or(|s| s < *at || (stale && s == *at))).collect();
        let at = unseen.last().map(|(at, _)| *at);
        if at.is_none() && !(stale && theirs.substance.is_empty()) {
            continue;
        }
        // What to tell: with a spent review, the changes after the last commit where the
        // parent still hashed to the mark (what the reviewer read); failing that, the changes
        // after the commit that wrote it; all unseen ones when that leaves none (the review
        // came in by a merge, after changes it had not seen).
        let read_at = match &mark {
            Some(Review { against: Some((_, print)), .. }) if stale => {
                // The parent as created, then after each change of substance.
                let mut at_steps: Vec<(usize, &str)> =
                    theirs.created.iter().chain(&theirs.substance).map(|(at, c)| (*at, c.path.as_str())).collect();
                at_steps.dedup_by_key(|(at, _)| *at);
                at_steps.into_iter().rev().find_map(|(at, path)| {
                    let commit = steps[at].commit?;
                    (print_after(commit, path).as_ref() == Some(print)).then_some(at)
                })
            }
            _ => None,
        };
        let after_review: Vec<&(usize, &Change)> = match (stale, read_at.or(mine.review)) {
            (true, Some(r)) => unseen.iter().copied().filter(|(at, _)| *at > r).collect(),
            _ => Vec::new(),
        };
        let told = if after_review.is_empty() { &unseen } else { &after_review };
        // (Stale, and no change in the history there is: the parent changed before it starts.)
        out.push((
            child,
            Suspect {
                id: child_id.clone(),
                kind: child.kind,
                parent: parent_id.clone(),
                commit: at.and_then(|i| steps[i].commit.cloned()),
                uncommitted: at.is_some_and(|i| steps[i].commit.is_none()),
                changed: sentences(told.iter().map(|(_, c)| *c)),
                stale_review: stale.then(|| mark.as_ref().map(Review::text)).flatten(),
            },
        ));
    }
    // Epics first, then stories, each by number.
    out.sort_by(|(a, _), (b, _)| (a.kind != Kind::Epic, &a.id).cmp(&(b.kind != Kind::Epic, &b.id)));
    out.into_iter().map(|(_, s)| s).collect()
}

/// The changes as sentences, oldest first, a sentence said more than once said once with its
/// count ("description edited (3 times)").
fn sentences<'a>(changes: impl Iterator<Item = &'a Change>) -> Vec<String> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for c in changes {
        let s = c.sentence();
        match out.iter_mut().find(|(t, _)| *t == s) {
            Some((_, n)) => *n += 1,
            None => out.push((s, 1)),
        }
    }
    out.into_iter().map(|(s, n)| if n == 1 { s } else { format!("{s} ({n} times)") }).collect()
}

/// The suspects of the product now: `history` is HEAD's first-parent walk (`None` outside git
/// or before the first commit), and the working tree's uncommitted edits are the last step.
pub fn now(product: &Product, items: &Items, history: Option<&History>) -> Result<Vec<Suspect>> {
    use crate::history::read::ReadProduct;
    let git = Repo::discover(product);
    let mut uncommitted = Vec::new();
    if let Some(git) = &git
        && let Some(head) = git.head()?
    {
        uncommitted = crate::history::read::uncommitted(git, head.id(), items, &product.config)?;
    }
    let mut steps: Vec<Step> =
        history.iter().flat_map(|h| &h.commits).map(|c| Step { commit: Some(&c.info), changes: c.changes() }).collect();
    steps.push(Step { commit: None, changes: &uncommitted });
    // The parent's fingerprint at a commit: read only for a review that no longer matches,
    // once per (commit, file).
    let mut prints: HashMap<(String, String), Option<String>> = HashMap::new();
    let mut print_after = |commit: &CommitInfo, path: &str| -> Option<String> {
        let git = git.as_ref()?;
        prints
            .entry((commit.id.clone(), path.to_string()))
            .or_insert_with(|| {
                let tree = git.product_tree_of(git2::Oid::from_str(&commit.id).ok()?).ok()??;
                let item = git.item(git.blob_at(tree, path).ok()??, path, &product.config).ok()??;
                Some(review::fingerprint(&item))
            })
            .clone()
    };
    Ok(find(items, &product.config, &steps, &mut print_after))
}
