//! `pm diff [BASE [HEAD]]`: what changed in the product between two states, as sentences.

use std::collections::HashSet;

use serde_json::json;

use crate::cli::Ctx;
use crate::cli::output::{print, print_json, step_summary};
use crate::error::{Error, Result};
use crate::history::changes::{Change, What, compare, ordinal};
use crate::history::read::{ReadProduct, snapshot_worktree, snapshots_between};
use crate::model::escape::markdown as md_escape;
use crate::store::repo::Repo;

/// Show what changed in the product between two states (a pull request's changes)
///
/// Stories created and removed, backlog and roadmap moves, field changes (status, priority, points,
/// ...), and acceptance criteria added, removed, reworded, checked or unchecked. Items are matched
/// by ID, so a renamed file is the same item.
///
/// Revisions as git reads them: `A B` and `A..B` compare A with B; `A...B` is what B changes
/// since it left A (from their merge base to B), the view of a pull request. With none, BASE
/// is the merge-base of HEAD with the default branch (origin/HEAD, else main, else master)
/// and HEAD the working tree. Either may be a date (YYYY-MM-DD). Paths are relative to the
/// repository root. In markdown, items link to their files at HEAD when --link-base or the CI
/// (GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_SHA) gives a URL, and are plain text otherwise.
///
/// In GitHub Actions ($GITHUB_STEP_SUMMARY set), the Markdown view is also added to the job's
/// summary page.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  pm diff\n  pm diff main...feature\n  pm diff v1.0 v1.1 --format json\n  pm diff origin/main...HEAD --format markdown > product-diff.md"
)]
pub struct Args {
    /// The state to compare from (a revision or a date), or A..B, or A...B
    base: Option<String>,
    /// The state to compare to (a revision or a date; default: the working tree)
    head: Option<String>,
    /// Output format: text, markdown (for a pull request) or json
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    /// Prefix of item links in markdown, e.g. https://github.com/OWNER/REPO/blob/SHA/ (paths
    /// from the repository root are appended)
    #[arg(long, value_name = "URL")]
    link_base: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Text,
    Markdown,
    Json,
}

/// The changes grouped as a pull-request comment presents them.
#[derive(Default)]
struct Sections<'a> {
    created: Vec<&'a Change>,
    reprioritised: Vec<&'a Change>,
    status: Vec<&'a Change>,
    criteria: Vec<&'a Change>,
    removed: Vec<&'a Change>,
    other: Vec<&'a Change>,
    /// Item files that do not read on the new side (and read, or read differently, on the
    /// old): what they change is unknown, and a review must not take that for "no changes".
    unreadable: Vec<Unreadable>,
    /// Items whose file did not read on the old side and reads on the new: repaired, not new
    /// (what the repair changed cannot be told).
    repaired: Vec<ItemNote>,
    /// New files that carry an ID an item had already (a copy): not new items, a duplicate ID
    /// (`pm check`'s `id/duplicate`).
    duplicated: Vec<ItemNote>,
}

/// An item file the new side cannot read: its path from the repository root and why.
struct Unreadable {
    path: String,
    message: String,
}

/// An item file a section names: its ID, title and path from the repository root.
struct ItemNote {
    id: String,
    title: String,
    path: String,
}

impl<'a> Sections<'a> {
    fn of(
        changes: &'a [Change],
        unreadable: Vec<Unreadable>,
        (repaired, duplicated): (Vec<ItemNote>, Vec<ItemNote>),
        score_inputs: &[String],
    ) -> Sections<'a> {
        let mut s = Sections { unreadable, repaired, duplicated, ..Sections::default() };
        let created: HashSet<&str> =
            changes.iter().filter(|c| matches!(c.what, What::Created { .. })).map(|c| c.id.as_str()).collect();
        let deleted: HashSet<&str> =
            changes.iter().filter(|c| matches!(c.what, What::Deleted { .. })).map(|c| c.id.as_str()).collect();
        let status: HashSet<&str> = changes.iter().filter(|c| c.field() == "status").map(|c| c.id.as_str()).collect();
        for c in changes {
            let new_or_gone = created.contains(c.id.as_str()) || deleted.contains(c.id.as_str());
            match &c.what {
                What::Created { .. } => s.created.push(c),
                What::Deleted { .. } => s.removed.push(c),
                _ if new_or_gone => {}
                // A story leaving the backlog because it was closed is told by its status.
                What::Rank { to: None, .. } | What::Roadmap { to: None, .. } if status.contains(c.id.as_str()) => {}
                What::Rank { .. } | What::Roadmap { .. } => s.reprioritised.push(c),
                What::Field { field, .. } if field == "priority" || score_inputs.contains(field) => {
                    s.reprioritised.push(c)
                }
                What::Field { field, .. } if field == "status" => s.status.push(c),
                _ if c.field() == "criteria" => s.criteria.push(c),
                _ => s.other.push(c),
            }
        }
        s
    }

    fn summary(&self) -> String {
        let count = |n: usize, one: &str, many: &str| match n {
            0 => None,
            1 => Some(format!("1 {one}")),
            n => Some(format!("{n} {many}")),
        };
        let parts: Vec<String> = [
            count(self.created.len(), "new item", "new items"),
            count(self.reprioritised.len(), "priority change", "priority changes"),
            count(self.status.len(), "status change", "status changes"),
            count(self.criteria.len(), "acceptance-criteria change", "acceptance-criteria changes"),
            count(self.removed.len(), "removed item", "removed items"),
            count(self.other.len(), "other change", "other changes"),
            count(self.unreadable.len(), "file that cannot be read", "files that cannot be read"),
            count(self.repaired.len(), "file that reads again", "files that read again"),
            count(self.duplicated.len(), "copied item", "copied items"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() { "no changes".into() } else { parts.join(", ") }
    }
}

/// `A...B`, `A..B` (either side may be empty: HEAD) or a single revision.
enum Range<'a> {
    One,
    Two(&'a str, &'a str),
    Symmetric(&'a str, &'a str),
}

fn range(text: &str) -> Range<'_> {
    fn or_head_of(s: &str) -> &str {
        if s.is_empty() { "HEAD" } else { s }
    }
    if let Some((a, b)) = text.split_once("...") {
        Range::Symmetric(or_head_of(a), or_head_of(b))
    } else if let Some((a, b)) = text.split_once("..") {
        Range::Two(or_head_of(a), or_head_of(b))
    } else {
        Range::One
    }
}

pub fn run(ctx: &Ctx, mut a: Args) -> Result<()> {
    let product = ctx.product()?;
    let git = Repo::open(&product)?;
    let mut merge_base_of = None;
    if let Some(text) = a.base.clone() {
        let split = |x: &str, y: &str| (Some(x.to_string()), Some(y.to_string()));
        let (base, head) = match range(&text) {
            Range::One => (a.base.clone(), a.head.clone()),
            Range::Two(x, y) => split(x, y),
            Range::Symmetric(x, y) => {
                merge_base_of = Some((x.to_string(), y.to_string()));
                split(x, y)
            }
        };
        if !matches!(range(&text), Range::One) && a.head.is_some() {
            return Err(Error::bad_argument(format!("`{text}` already names both sides"))
                .with_hint("give either BASE HEAD, BASE..HEAD or BASE...HEAD"));
        }
        (a.base, a.head) = (base, head);
    }
    let (base, base_label) = match (&a.base, &merge_base_of) {
        (_, Some((x, y))) => {
            let oid = git.merge_base_with(Some(y), x)?;
            (git.commit(oid)?, format!("merge-base of {} and {}", shown(x), shown(y)))
        }
        (Some(rev), None) => (git.resolve_at(rev)?, rev.clone()),
        (None, None) => {
            let (c, branch) = git.default_base()?;
            (c, format!("merge-base with {branch}"))
        }
    };
    let short = |c: &git2::Commit| c.id().to_string()[..7].to_string();
    // Between two commits only the files that differ are read; against the working tree,
    // the base is read whole.
    let (old, new, head_label, head_id) = match &a.head {
        Some(rev) => {
            let c = git.resolve_at(rev)?;
            let label = if is_oid(rev) { short(&c) } else { format!("{} ({rev})", short(&c)) };
            let (old, new) = snapshots_between(&git, &base, &c)?;
            (old, new, label, Some(c.id().to_string()))
        }
        None => (git.snapshot_at(&base)?, snapshot_worktree(&product)?, "the working tree".to_string(), None),
    };
    // In the working tree, a damaged list line or a heading that only looks like a horizon
    // changes what the lists mean: say so, as the listings do, so a move it causes is not
    // taken for one made on purpose.
    if a.head.is_none() {
        for (path, kind) in [
            (product.backlog_path(), crate::model::id::Kind::Story),
            (product.roadmap_path(), crate::model::id::Kind::Epic),
        ] {
            if let Ok(list) = product.read_list(&path) {
                let shown = product.shown(&path);
                crate::cli::view::warn_malformed(ctx, &list, (&shown, product.config.prefix(kind)));
                if kind == crate::model::id::Kind::Epic {
                    for (n, message) in list.odd_headings() {
                        ctx.warn(&format!("{}:{}: {message}", shown.display(), n + 1));
                    }
                }
            }
        }
    }
    let rooted = |rel: &str| if git.dir.is_empty() { rel.to_string() } else { format!("{}/{rel}", git.dir) };
    let unreadable = new
        .broken
        .iter()
        .filter(|(rel, message)| old.broken.get(*rel) != Some(*message))
        .map(|(rel, message)| Unreadable { path: rooted(rel), message: message.clone() })
        .collect();
    let (repaired, changes): (Vec<Change>, Vec<Change>) = (compare(&old, &new).into_iter())
        .partition(|c| matches!(c.what, What::Created { .. }) && old.broken.contains_key(&c.path));
    let note = |c: Change| ItemNote { id: c.id, title: c.title, path: rooted(&c.path) };
    let repaired = repaired.into_iter().map(note).collect();
    // A file that appears with the ID and title of an item the old side had in another file:
    // a copy. (A new item whose ID collides, from another branch, stays a new item.)
    let copied = |c: &Change| {
        let id = crate::model::id::ItemId::parse(&c.id);
        matches!(c.what, What::Created { .. })
            && id.is_some_and(|id| {
                new.files_of(&id).len() > 1 && old.files_of(&id).iter().any(|o| o.title == c.title && o.path != c.path)
            })
    };
    let (duplicated, changes): (Vec<Change>, Vec<Change>) = changes.into_iter().partition(copied);
    let duplicated = duplicated.into_iter().map(note).collect();
    let changes: Vec<Change> = changes.iter().map(|c| c.rooted(&git.dir)).collect();
    let score_inputs = product.config.score_model.as_ref().map_or(&[][..], |m| m.inputs.as_slice());
    let sections = Sections::of(&changes, unreadable, (repaired, duplicated), score_inputs);
    let base_text = if is_oid(&base_label) { short(&base) } else { format!("{} ({base_label})", short(&base)) };
    match a.format {
        DiffFormat::Json => print_json(&json!({
            "base": {"rev": base_label, "commit": base.id().to_string()},
            "head": {"rev": a.head, "commit": head_id},
            "summary": sections.summary(),
            "changes": changes.iter().map(Change::to_json).collect::<Vec<_>>(),
            "unreadable": sections.unreadable.iter().map(|u| json!({"path": u.path, "error": u.message})).collect::<Vec<_>>(),
            "repaired": sections.repaired.iter().map(|r| json!({"id": r.id, "title": r.title, "path": r.path})).collect::<Vec<_>>(),
            "copied": sections.duplicated.iter().map(|r| json!({"id": r.id, "title": r.title, "path": r.path})).collect::<Vec<_>>(),
        })),
        DiffFormat::Text => {
            let quiet =
                sections.unreadable.is_empty() && sections.repaired.is_empty() && sections.duplicated.is_empty();
            let mut out = if changes.is_empty() && quiet {
                format!("No product changes from {base_text} to {head_label}.\n")
            } else {
                format!("Product changes from {base_text} to {head_label}: {}.\n", sections.summary())
            };
            for c in &changes {
                out.push_str(&format!("  {} {}\n", c.id, c.sentence_among(&changes)));
            }
            for u in &sections.unreadable {
                out.push_str(&format!("  cannot read {}\n", u.message));
            }
            for r in &sections.repaired {
                out.push_str(&format!("  {} reads again: {} did not read before\n", r.id, r.path));
            }
            for r in &sections.duplicated {
                out.push_str(&format!(
                    "  {} is copied into a second file, {} (pm check: id/duplicate)\n",
                    r.id, r.path
                ));
            }
            print(&out)
        }
        DiffFormat::Markdown => {
            // A relative link is broken in a pull request comment: link only with a URL.
            let base = a.link_base.clone().or_else(|| ci_blob_url(head_id.as_deref()));
            print(&markdown(&sections, &changes, &base_text, &head_label, &linker(base.as_deref())))
        }
    }?;
    // In GitHub Actions, the job's summary page gets the Markdown view whatever was printed.
    if std::env::var_os("GITHUB_STEP_SUMMARY").is_some_and(|p| !p.is_empty()) {
        let base = a.link_base.clone().or_else(|| ci_blob_url(head_id.as_deref()));
        step_summary(ctx, &markdown(&sections, &changes, &base_text, &head_label, &linker(base.as_deref())));
    }
    Ok(())
}

/// How an item is named in Markdown: a link to its file at HEAD when there is a URL prefix.
fn linker(base: Option<&str>) -> impl Fn(&Change) -> String + '_ {
    move |c: &Change| match base {
        Some(base) if !c.path.is_empty() && !matches!(c.what, What::Deleted { .. }) => {
            let slash = if base.ends_with('/') { "" } else { "/" };
            format!("[{}]({base}{slash}{})", md_escape(&c.id), crate::model::escape::url_path(&c.path))
        }
        _ => md_escape(&c.id),
    }
}

/// A whole commit ID, as CI passes them: shown by its short form, once.
fn is_oid(rev: &str) -> bool {
    rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit())
}

fn shown(rev: &str) -> &str {
    if is_oid(rev) { &rev[..7] } else { rev }
}

/// The blob URL prefix of the head revision in GitHub Actions, from its environment.
fn ci_blob_url(head: Option<&str>) -> Option<String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let (server, repo) = (var("GITHUB_SERVER_URL")?, var("GITHUB_REPOSITORY")?);
    let sha = head.map(str::to_string).or_else(|| var("GITHUB_SHA"))?;
    Some(format!("{}/{repo}/blob/{sha}/", server.trim_end_matches('/')))
}

fn markdown(s: &Sections, all: &[Change], base: &str, head: &str, link: &dyn Fn(&Change) -> String) -> String {
    let mut out = format!("**Product changes** from {base} to {head}: {}.\n", s.summary());
    let section = |out: &mut String, title: &str, list: &[&Change], line: &dyn Fn(&Change) -> String| {
        if list.is_empty() {
            return;
        }
        out.push_str(&format!("\n### {title}\n\n"));
        for c in list {
            out.push_str(&line(c));
        }
    };
    section(&mut out, "New", &s.created, &|c| {
        let What::Created { kind, fields, criteria } = &c.what else { return String::new() };
        let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
        let mut facts: Vec<String> = vec![kind.clone()];
        facts.extend(get("status"));
        facts.extend(get("priority"));
        facts.extend(get("points").map(|p| format!("{p} points")));
        facts.extend(get("epic"));
        let rank = all.iter().find_map(|r| match r.what {
            What::Rank { to: Some(t), .. } if r.id == c.id => Some(format!("backlog {}", ordinal(t))),
            _ => None,
        });
        facts.extend(rank);
        let mut line = format!("- {} {} ({})\n", link(c), md_escape(&c.title), md_escape(&facts.join(", ")));
        for ac in criteria {
            line.push_str(&format!(
                "  - [{}] {}: {}\n",
                if ac.checked { "x" } else { " " },
                ac.ac,
                md_escape(&ac.text)
            ));
        }
        line
    });
    let plain = |c: &Change| format!("- {} {}: {}\n", link(c), md_escape(&c.title), md_escape(&c.sentence()));
    section(&mut out, "Reprioritised", &s.reprioritised, &plain);
    section(&mut out, "Status changes", &s.status, &plain);
    section(&mut out, "Acceptance criteria changes", &s.criteria, &plain);
    section(&mut out, "Removed", &s.removed, &|c| format!("- {} {}\n", md_escape(&c.id), md_escape(&c.title)));
    section(&mut out, "Other changes", &s.other, &plain);
    if !s.unreadable.is_empty() {
        out.push_str("\n### Cannot be read\n\n");
        for u in &s.unreadable {
            out.push_str(&format!("- {}\n", md_escape(&u.message)));
        }
        out.push_str("\nWhat these files change is not shown; `pm check` says how to fix them.\n");
    }
    if !s.repaired.is_empty() {
        out.push_str("\n### Readable again\n\n");
        for r in &s.repaired {
            out.push_str(&format!("- {} {} ({})\n", md_escape(&r.id), md_escape(&r.title), md_escape(&r.path)));
        }
        out.push_str("\nThese files did not read before: what the repair changed is not shown.\n");
    }
    if !s.duplicated.is_empty() {
        out.push_str("\n### Copied\n\n");
        for r in &s.duplicated {
            out.push_str(&format!("- {} {} ({})\n", md_escape(&r.id), md_escape(&r.title), md_escape(&r.path)));
        }
        out.push_str("\nEach of these files repeats an item that was there already, its ID and title: a copy; `pm check` says how to give it a new ID or remove it.\n");
    }
    out
}
