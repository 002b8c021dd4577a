//! `pm review [ID ...] [--epic E-3]`: what waits for a review because its parent changed, and
//! recording that a story (or an epic) was read again against its parent.

use serde_json::json;

use crate::cli::Ctx;
use crate::cli::output::{plural, print, print_json, table};
use crate::error::{Error, Result};
use crate::history::suspect::{self, Suspect};
use crate::model::frontmatter::{FieldValue, yaml_scalar};
use crate::model::id::Kind;
use crate::model::item::Item;
use crate::model::review::{self, Review};
use crate::store::product::{Items, Product};

/// List what waits for a review, or record a review against the parent
///
/// A story is written against its epic, an epic against its vision. When the parent changes in
/// substance (its title or its description, which holds an epic's goals; not its status or
/// rank) in a commit after the story's own last such change, the story is suspect: it
/// may no longer say what the epic now means. `pm review` lists the suspect stories and epics
/// with the commit that changed the parent and what it changed. `pm review S-12` records that
/// S-12 was read again: one line, `reviewed: DAY E-3@FINGERPRINT`, the fingerprint of the
/// epic's substance (SHA-256, 8 hex digits), so the story stays reviewed until the epic changes
/// again. `pm check --suspect` (or `suspect: warning` in pm.yaml) reports suspect items.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  pm review\n  pm review S-4\n  pm review --epic E-2\n  pm review --format json")]
pub struct Args {
    /// Stories or epics to mark as reviewed against their parent
    #[arg(value_name = "ID", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::item_ids))]
    ids: Vec<String>,
    /// Mark every open story of this epic as reviewed against it
    #[arg(long, value_name = "EPIC", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::epic_ids))]
    epic: Option<String>,
    /// Output format (of the list)
    #[arg(long, value_enum, default_value_t = crate::cli::output::TextFormat::Text)]
    format: crate::cli::output::TextFormat,
}

/// The suspect children of the product, and where the history they were read from starts
/// when a shallow clone cuts it.
pub struct Suspects {
    pub list: Vec<Suspect>,
    pub truncated_at: Option<String>,
    /// A history was read (false outside git: only the marks' fingerprints were compared).
    pub with_history: bool,
}

/// Read HEAD's history (through the cache) and the working tree's uncommitted edits, and find
/// the suspect children among `items`. Outside git, only fingerprints count.
pub fn suspects(product: &Product, items: &Items) -> Result<Suspects> {
    let history = crate::cli::history::read_history(product)?;
    Ok(Suspects {
        list: suspect::now(product, items, history.as_ref())?,
        with_history: history.is_some(),
        truncated_at: history.and_then(|h| h.truncated_at),
    })
}

/// When and by whom the parent changed, as one phrase: `in 1a2b3c4 (2026-11-30, Ana Lima)`.
pub fn when(s: &Suspect) -> String {
    match &s.commit {
        Some(c) => format!("in {} ({}, {})", &c.id[..7], crate::model::date::day(c.time, c.offset), c.author),
        None if s.uncommitted => "in the working tree".into(),
        None => "since its review".into(),
    }
}

/// One sentence for a suspect child: what changed in its parent, and when.
pub fn sentence(s: &Suspect) -> String {
    let relation = review::parent_field(s.kind).unwrap_or("parent");
    let mut out = format!("its {relation} {} changed {}", s.parent, when(s));
    if !s.changed.is_empty() {
        out.push_str(": ");
        out.push_str(&s.changed.join("; "));
    }
    if let Some(mark) = &s.stale_review {
        out.push_str(&format!(" (reviewed: {mark} no longer matches)"));
    }
    out
}

pub fn run(ctx: &Ctx, a: Args) -> Result<()> {
    let product = ctx.product()?;
    if a.ids.is_empty() && a.epic.is_none() {
        return list(ctx, &product, a.format);
    }
    let mut tx = ctx.transaction(&product)?;
    let (items, errors) = product.load_all_lenient();
    if let Some(e) = errors.into_iter().next() {
        return Err(e);
    }
    let mut targets: Vec<&Item> = Vec::new();
    for text in &a.ids {
        let id = product.config.id_from_input(text).ok_or_else(|| {
            Error::bad_argument(crate::model::id::not_an_id(text))
                .with_hint(crate::model::id::id_hint(&product.config.prefixes.story))
        })?;
        let kind = product.config.kind_of(&id).filter(|k| matches!(k, Kind::Story | Kind::Epic)).ok_or_else(|| {
            Error::bad_argument(format!("{id} is neither a story nor an epic"))
                .with_hint("stories are reviewed against their epic, epics against their vision")
        })?;
        let item = product.get(&id.to_string(), kind)?;
        targets.push(items.get(&item.id.to_string()).expect("loaded"));
    }
    if let Some(epic) = &a.epic {
        let epic = product.get(epic, Kind::Epic)?.id.to_string();
        let mut open: Vec<&Item> = items
            .of_kind(Kind::Story)
            .filter(|s| s.epic().as_deref() == Some(epic.as_str()) && !product.config.is_closed(&s.status))
            .collect();
        open.sort_by(|a, b| a.id.cmp(&b.id));
        if open.is_empty() {
            return Err(Error::bad_argument(format!("{epic} has no open story to review"))
                .with_hint(format!("pm story list --epic {epic} shows its stories")));
        }
        targets.extend(open);
    }
    let day = crate::model::date::today().to_string();
    let mut said = Vec::new();
    let mut changes = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for item in targets {
        if !seen.insert(item.id.to_string()) {
            continue;
        }
        if product.config.is_closed(&item.status) {
            // Delivered (or dropped) against the parent as it was: never suspect, nothing to record.
            said.push(format!("{} is {}: a closed {} is never suspect; unchanged", item.id, item.status, item.kind));
            continue;
        }
        let field = review::parent_field(item.kind).expect("story or epic");
        let Some(parent_id) = item.get(field) else {
            return Err(Error::bad_argument(format!(
                "{} has no {field}: there is nothing to review it against",
                item.id
            ))
            .with_hint(format!("link it first: pm {} set {} {field}=...", item.kind, item.id)));
        };
        let Some(parent) = items.get(&parent_id) else {
            return Err(Error::bad_argument(format!("{}'s {field} {parent_id} does not exist", item.id))
                .with_hint("pm check lists broken links; fix the link first"));
        };
        let print = review::fingerprint(parent);
        let current = item.get(review::FIELD).and_then(|t| Review::parse(&t));
        if current.as_ref().and_then(|r| r.against.as_ref()) == Some(&(parent_id.clone(), print.clone())) {
            said.push(format!("{} was already reviewed against {parent_id} as it is; unchanged", item.id));
            continue;
        }
        let mark = Review { day: day.clone(), against: Some((parent_id.clone(), print)) };
        let value = FieldValue::Scalar(yaml_scalar(&mark.text()));
        changes.push(crate::ops::set::stage_set(&mut tx, item.clone(), &[(review::FIELD.to_string(), value)])?);
        said.push(format!("{} reviewed against {parent_id}: reviewed: {}", item.id, mark.text()));
    }
    if changes.iter().any(|c| !c.is_noop()) {
        tx.commit()?;
    }
    ctx.say(&said.join("\n"))
}

fn list(ctx: &Ctx, product: &Product, format: crate::cli::output::TextFormat) -> Result<()> {
    let (items, errors) = product.load_all_lenient();
    let found = suspects(product, &items)?;
    if format == crate::cli::output::TextFormat::Json {
        print_json(&json!({
            "suspects": found.list.iter().map(|s| {
                let title = items.get(&s.id).map(|i| i.title.clone()).unwrap_or_default();
                json!({
                    "id": s.id, "kind": s.kind.name(), "title": title, "parent": s.parent,
                    "commit": s.commit.as_ref().map(|c| json!({
                        "id": c.id, "author": c.author, "date": crate::model::date::rfc3339(c.time, c.offset),
                        "summary": c.summary,
                    })),
                    "uncommitted": s.uncommitted, "changed": s.changed, "stale_review": s.stale_review,
                })
            }).collect::<Vec<_>>(),
            "shallow_from": found.truncated_at,
        }))?;
        return ctx.finish(errors);
    }
    let mut out = String::new();
    if found.list.is_empty() {
        out.push_str("Nothing to review: no open story or epic has a parent that changed after it.\n");
    } else {
        let rows: Vec<Vec<String>> = found
            .list
            .iter()
            .map(|s| {
                // (The table escapes control characters in every cell.)
                let title = items.get(&s.id).map(|i| i.title.clone()).unwrap_or_default();
                let spent = s
                    .stale_review
                    .as_ref()
                    .map(|m| format!("review of {} no longer matches", m.split(' ').next().unwrap_or(m)));
                let what = match (s.changed.is_empty(), spent) {
                    (true, Some(spent)) => spent,
                    (true, None) => "-".to_string(),
                    (false, Some(spent)) => format!("{} ({spent})", s.changed.join("; ")),
                    (false, None) => s.changed.join("; "),
                };
                vec![s.id.clone(), title, s.parent.clone(), when(s), what]
            })
            .collect();
        out.push_str(&format!("{} waiting for a review:\n", plural(found.list.len(), "item", "items")));
        out.push_str(&table(&["ID", "TITLE", "PARENT", "CHANGED", "WHAT CHANGED"], &rows, ctx.stdout_tty));
        out.push_str("\nRead each against its parent, then record it: pm review ID (or pm review --epic EPIC).\n");
    }
    if !found.with_history {
        out.push_str(
            "No git history here (not a repository, or no commit yet): only `reviewed` fingerprints were \
             compared (an item without one is never suspect here).\n",
        );
    }
    if let Some(at) = &found.truncated_at {
        out.push_str(&format!(
            "This shallow clone's history starts at {}: older changes are not seen (fetch with fetch-depth: 0).\n",
            &at[..7]
        ));
    }
    print(&out)?;
    ctx.finish(errors)
}
