//! Changing an existing item: field assignments, status changes (`done`, `drop`) and whole-file
//! replacements from the editor. Only the changed lines of the item change; the backlog or
//! roadmap line follows a status or title change in the same atomic write.

use crate::error::{Error, Result};
use crate::model::frontmatter::{self, FieldValue};
use crate::model::item::Item;
use crate::ops::{Placement, sync_lists, values};
use crate::store::transaction::Transaction;

/// What an edit did.
#[derive(Debug, Clone)]
pub struct Changed {
    pub before: Item,
    pub after: Item,
}

impl Changed {
    pub fn is_noop(&self) -> bool {
        self.before.text == self.after.text
    }
}

/// Apply `key=value` assignments to an item. A field pm does not know, that the item does not
/// have and that `pm.yaml` does not declare (`custom_fields`) is refused as a likely typo
/// unless `force`.
pub fn set(tx: &mut Transaction, item: Item, assignments: &[(String, String)], force: bool) -> Result<Changed> {
    let product = tx.product();
    let mut seen = std::collections::HashSet::new();
    let mut edits = Vec::new();
    let mut metrics = Vec::new();
    for (key, value) in assignments {
        if !seen.insert(key.as_str()) {
            return Err(Error::bad_argument(format!("`{key}` is given twice")).with_hint("give each field once"));
        }
        if let Some(path) = key.strip_prefix("metric.") {
            let edit = metric_edit(&item, path, value)?;
            if metrics.iter().any(|(n, k, _)| (n, k) == (&edit.0, &edit.1)) {
                return Err(Error::bad_argument(format!("metric `{}` ({}) is given twice", edit.0, edit.1))
                    .with_hint("give each metric once"));
            }
            metrics.push(edit);
            continue;
        }
        let edit = values::assignment(product, &item, key, value)?;
        if !force {
            values::new_field(product, &item, key)?;
        }
        edits.push((key.clone(), edit));
    }
    if item.kind == crate::model::id::Kind::Sprint {
        // The dates as they will be: a sprint never ends before it starts.
        let given = |key: &str| assignments.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim().to_string());
        let day = |key: &str| given(key).or_else(|| item.get(key)).and_then(|d| crate::model::sprint::parse_date(&d));
        if let (Some(start), Some(end)) = (day("start"), day("end"))
            && end < start
        {
            return Err(Error::bad_argument(format!("{} would end ({end}) before it starts ({start})", item.id))
                .with_hint("a sprint's end is its last day, on or after its start; set both: start=... end=..."));
        }
    }
    if metrics.is_empty() {
        return apply(tx, item, &edits);
    }
    let bad = |e: String| Error::bad_file(item.location("metrics"), format!("cannot edit the metrics: {e}"));
    let mut text = item.edited(&edits)?;
    for (name, key, raw) in &metrics {
        let split = frontmatter::split(&text).map_err(|e| bad(e.message.to_string()))?;
        text = frontmatter::edit_list_entry(&text, &split, "metrics", name, key, raw.as_deref()).map_err(bad)?;
    }
    let after = Item::parse(text, item.path.clone(), item.rel.clone(), item.shown.clone(), &product.config)?;
    commit(tx, item, after)
}

/// `metric.NAME=VALUE` (the metric's `current`) or `metric.NAME.target=VALUE` of a vision:
/// the metric's name as written in the file, the key, and the YAML value (None removes it).
fn metric_edit(item: &Item, path: &str, value: &str) -> Result<(String, &'static str, Option<String>)> {
    if item.kind != crate::model::id::Kind::Vision {
        return Err(Error::bad_argument(format!("{} has no metrics; visions do", item.id))
            .with_hint("e.g. pm vision set V-1 \"metric.Weekly active households=9100\""));
    }
    let metrics = item.metrics();
    // The name as written wins over one that differs only in case or spaces around it.
    let find = |name: &str| {
        metrics
            .iter()
            .find(|m| m.name == name)
            .or_else(|| metrics.iter().find(|m| m.name.trim().eq_ignore_ascii_case(name.trim())))
    };
    let (metric, key) = match path.rsplit_once('.') {
        Some((name, k @ ("target" | "current"))) if find(name).is_some() => {
            (find(name), if k == "target" { "target" } else { "current" })
        }
        _ => (find(path), "current"),
    };
    let Some(metric) = metric else {
        let names: Vec<String> = metrics.iter().map(|m| format!("\"{}\"", m.name)).collect();
        let hint = if names.is_empty() {
            format!("{} has no metrics yet; add them under `metrics:` with `pm vision edit {}`", item.id, item.id)
        } else {
            format!("its metrics: {}", names.join(", "))
        };
        return Err(Error::bad_argument(format!("{} has no metric `{path}`", item.id)).with_hint(hint));
    };
    let value = value.trim();
    if value.is_empty() && key == "target" {
        return Err(Error::bad_argument(format!("a metric needs a target; `{}` would have none", metric.name))
            .with_hint("give the new target, e.g. metric.NAME.target=25000"));
    }
    // A number stays a number (`current: 9100`); anything else is a string.
    let number = value.parse::<f64>().is_ok_and(f64::is_finite) && !value.starts_with(['+', '.']);
    let raw = (!value.is_empty()).then(|| if number { value.to_string() } else { frontmatter::yaml_scalar(value) });
    Ok((metric.name.clone(), key, raw))
}

/// Set the status (as `pm story done` does).
/// Stage a status change (and the backlog or roadmap line it moves): several items change in
/// one commit of the transaction.
/// Set an item's status, and with `reason` its `reason` field (why it was closed), in `tx`.
pub fn stage_status(tx: &mut Transaction, item: Item, status: &str, reason: Option<&str>) -> Result<Changed> {
    values::status(tx.product(), item.kind, status)?;
    let mut edits = vec![("status".to_string(), FieldValue::Scalar(frontmatter::yaml_scalar(status)))];
    if let Some(r) = reason {
        edits.push(("reason".into(), FieldValue::Scalar(frontmatter::yaml_scalar(r))));
    }
    stage_set(tx, item, &edits)
}

/// Replace an item's whole text (from the editor), keeping its ID.
pub fn replace_text(tx: &mut Transaction, item: Item, text: String) -> Result<Changed> {
    let product = tx.product();
    let after = Item::parse(text, item.path.clone(), item.rel.clone(), item.shown.clone(), &product.config)?;
    same_id(&item.id.to_string(), &after)?;
    values::check_item(product, &after)?;
    commit(tx, item, after)
}

/// Write `text` as the file at `path` of item `id`, whose old text did not read (an edit in
/// the editor that repairs it): the new text must read as that item and pass the checks of an
/// edit. The item's list line is refreshed.
pub fn repair_text(tx: &mut Transaction, path: &std::path::Path, id: &str, text: String) -> Result<Item> {
    let product = tx.product();
    let after = Item::parse(text, path.to_path_buf(), product.rel(path), product.shown(path), &product.config)?;
    same_id(id, &after)?;
    values::check_item(product, &after)?;
    tx.write(path, after.text.clone());
    sync_lists(tx, &after, None)?;
    tx.commit()?;
    Ok(after)
}

/// An edited text keeps its item's ID: `pm renumber` is the one way to change it.
fn same_id(id: &str, after: &Item) -> Result<()> {
    if after.id.to_string() == id {
        return Ok(());
    }
    Err(Error::bad_argument(format!("the edit changed the ID from {id} to {}", after.id))
        .with_hint("IDs are stable; `pm renumber OLD NEW` changes one and its references"))
}

fn apply(tx: &mut Transaction, item: Item, edits: &[(String, FieldValue)]) -> Result<Changed> {
    let changed = stage_set(tx, item, edits)?;
    if !changed.is_noop() {
        tx.commit()?;
    }
    Ok(changed)
}

fn commit(tx: &mut Transaction, before: Item, after: Item) -> Result<Changed> {
    let changed = stage(tx, before, after)?;
    if !changed.is_noop() {
        tx.commit()?;
    }
    Ok(changed)
}

/// Apply assignments to an item in `tx` without committing it: for operations that change
/// several items in one atomic write (a sprint's plan, its close).
pub fn stage_set(tx: &mut Transaction, item: Item, assignments: &[(String, FieldValue)]) -> Result<Changed> {
    let product = tx.product();
    let text = item.edited(assignments)?;
    let after = Item::parse(text, item.path.clone(), item.rel.clone(), item.shown.clone(), &product.config)?;
    stage(tx, item, after)
}

/// Apply assignments to an item in `tx`, its file alone: the caller keeps the backlog and
/// roadmap in step, for many items in one pass (an import's updates).
pub fn stage_item(tx: &mut Transaction, item: Item, assignments: &[(String, FieldValue)]) -> Result<Changed> {
    let product = tx.product();
    let text = item.edited(assignments)?;
    let after = Item::parse(text, item.path.clone(), item.rel.clone(), item.shown.clone(), &product.config)?;
    if after.text != item.text {
        tx.write(&after.path, after.text.clone());
    }
    Ok(Changed { before: item, after })
}

fn stage(tx: &mut Transaction, before: Item, after: Item) -> Result<Changed> {
    if before.text == after.text {
        return Ok(Changed { before, after });
    }
    let product = tx.product();
    tx.write(&after.path, after.text.clone());
    let reopened = product.config.is_closed(&before.status) && !product.config.is_closed(&after.status);
    let touches_lists = reopened
        || before.title != after.title
        || product.config.is_closed(&before.status) != product.config.is_closed(&after.status);
    if touches_lists {
        sync_lists(tx, &after, reopened.then_some((Placement::Bottom, "Later")))?;
    }
    Ok(Changed { before, after })
}
