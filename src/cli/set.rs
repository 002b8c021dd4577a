//! `pm ... set ID key=value...`, and `pm story done|drop ID`.

use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::model::id::Kind;
use crate::ops::set::{Changed, set};

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  pm story set S-10 status=ready points=5\n  pm story set S-10 labels=audit,web owner="
)]
pub struct Args {
    /// The item's ID
    #[arg(add = clap_complete::ArgValueCandidates::new(crate::cli::completions::item_ids))]
    id: String,
    /// Assignments: key=value (labels and depends_on take comma-separated lists)
    #[arg(required = true, value_name = "KEY=VALUE")]
    assignments: Vec<String>,
    /// Add a field pm does not know and pm.yaml does not declare (custom_fields)
    #[arg(long)]
    force: bool,
}

/// Change the status and update the backlog or roadmap in one step.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The items' IDs (all change, or none)
    #[arg(required = true, value_name = "ID", add = clap_complete::ArgValueCandidates::new(crate::cli::completions::item_ids))]
    ids: Vec<String>,
    /// Close an epic whose stories are still open
    #[arg(long)]
    force: bool,
    /// Why: recorded as the `reason` field (one line), shown by `show` and told by `history`
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
}

pub fn run(ctx: &Ctx, kind: Kind, a: Args) -> Result<()> {
    let product = ctx.product()?;
    let mut pairs = Vec::new();
    for raw in &a.assignments {
        let Some((k, v)) = raw.split_once('=') else {
            return Err(Error::bad_argument(format!("`{raw}` is not key=value")).with_hint("e.g. status=ready"));
        };
        pairs.push((k.trim().to_string(), v.to_string()));
    }
    // Locked from the read to the write, so parallel edits of one item never lose each other.
    let mut tx = ctx.transaction(&product)?;
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    let item = product.get_repairing(&a.id, kind, &keys)?;
    let changed = set(&mut tx, item, &pairs, a.force)?;
    report(ctx, &changed)
}

pub fn run_status(ctx: &Ctx, kind: Kind, a: StatusArgs, status: &str) -> Result<()> {
    let product = ctx.product()?;
    let mut tx = ctx.transaction(&product)?;
    if !product.config.statuses(kind).iter().any(|s| s == status) {
        return Err(Error::bad_argument(format!("`{status}` is not {} status in pm.yaml", kind.with_article()))
            .with_hint(format!("use pm {kind} set {} status=...", a.ids[0])));
    }
    let reason = match a.reason.as_deref().map(str::trim) {
        Some("") => {
            return Err(
                Error::bad_argument("--reason is empty").with_hint("say why, e.g. --reason \"duplicate of S-4\"")
            );
        }
        Some(r) if r.contains(['\n', '\r']) => {
            return Err(
                Error::bad_argument("--reason is one line").with_hint("put longer notes in the item's description")
            );
        }
        r => r.map(str::to_string),
    };
    let mut changes = Vec::new();
    let mut warnings = Vec::new();
    for text in &a.ids {
        let item = product.get(text, kind)?;
        if kind == Kind::Story && status == "done" {
            let open = item.criteria.items.iter().filter(|c| !c.checked).count();
            if open > 0 {
                warnings.push(format!(
                    "{} is done with {open} of {} acceptance criteria unchecked",
                    item.id,
                    item.criteria.items.len()
                ));
            }
        }
        if kind == Kind::Epic && product.config.is_closed(status) {
            let id = item.id.to_string();
            let (items, _) = product.load_all_lenient();
            let open: Vec<String> = items
                .of_kind(Kind::Story)
                .filter(|s| s.epic().as_deref() == Some(id.as_str()) && !product.config.is_closed(&s.status))
                .map(|s| s.id.to_string())
                .collect();
            if !open.is_empty() {
                let stories = crate::cli::output::plural(open.len(), "open story", "open stories");
                let what = format!("{id} has {stories}: {}", open.join(", "));
                if !a.force {
                    return Err(Error::bad_argument(what).with_hint(format!(
                        "close or move them first (pm story done ...), or close the epic anyway: pm epic {} {id} --force",
                        if status == "done" { "done" } else { "drop" }
                    )));
                }
                warnings.push(format!("{id} is {status} with {stories}: {}", open.join(", ")));
            }
        }
        changes.push(crate::ops::set::stage_status(&mut tx, item, status, reason.as_deref())?);
    }
    if changes.iter().any(|c| !c.is_noop()) {
        tx.commit()?;
    }
    for w in warnings {
        ctx.warn(&w);
    }
    for c in &changes {
        report(ctx, c)?;
    }
    Ok(())
}

/// Each metric that changed, worded as `pm diff` and `pm history` word it (one field each:
/// `metric NAME: 8400 (target 20000) -> 9100 (target 20000)`).
fn metric_changes(before: &crate::model::item::Item, after: &crate::model::item::Item) -> Vec<String> {
    use crate::history::snapshot::ItemState;
    let (old, new) = (ItemState::from_item(before), ItemState::from_item(after));
    let metric = |s: &ItemState| -> Vec<(String, String)> {
        s.fields.iter().filter(|(k, _)| k.starts_with("metric ")).cloned().collect()
    };
    let (old, new) = (metric(&old), metric(&new));
    let mut out = Vec::new();
    for (k, v) in &new {
        match old.iter().find(|(o, _)| o == k) {
            Some((_, was)) if was != v => out.push(format!("{k}: {was} -> {v}")),
            None => out.push(format!("{k} set to {v}")),
            _ => {}
        }
    }
    out
}

pub(crate) fn report(ctx: &Ctx, c: &Changed) -> Result<()> {
    if c.is_noop() {
        return ctx.say(&format!("{} unchanged", c.after.id));
    }
    let mut parts = Vec::new();
    for (k, v) in c.after.fields.iter() {
        let k = crate::model::item::scalar_string(k).unwrap_or_default();
        let old = c.before.fields.get(k.as_str());
        if k == "metrics" && old.is_some() {
            parts.extend(metric_changes(&c.before, &c.after));
            continue;
        }
        if old != Some(v) {
            let old = old.map(crate::model::item::value_text).unwrap_or_else(|| "(none)".into());
            parts.push(format!("{k}: {old} -> {}", crate::model::item::value_text(v)));
        }
    }
    for (k, v) in c.before.fields.iter() {
        let k = crate::model::item::scalar_string(k).unwrap_or_default();
        if !c.after.fields.contains_key(k.as_str()) {
            parts.push(format!("{k}: {} -> (removed)", crate::model::item::value_text(v)));
        }
    }
    if parts.is_empty() {
        parts.push("body changed".into());
    }
    ctx.say(&format!("Updated {} ({})", c.after.id, parts.join("; ")))
}
