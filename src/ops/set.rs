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
    for (key, value) in assignments {
        if !seen.insert(key.as_str()) {
            return Err(Error::bad_argument(format!("`{key}` is given twice")).with_hint("give each field once"));
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
    apply(tx, item, &edits)
}

/// Set the status (as `pm story done` does).
/// Stage a status change (and the backlog or roadmap line it moves): several items change in
/// one commit of the transaction.
pub fn stage_status(tx: &mut Transaction, item: Item, status: &str) -> Result<Changed> {
    values::status(tx.product(), item.kind, status)?;
    stage_set(tx, item, &[("status".into(), FieldValue::Scalar(frontmatter::yaml_scalar(status)))])
}

/// Replace an item's whole text (from the editor), keeping its ID.
pub fn replace_text(tx: &mut Transaction, item: Item, text: String) -> Result<Changed> {
    let product = tx.product();
    let after = Item::parse(text, item.path.clone(), item.rel.clone(), item.shown.clone(), &product.config)?;
    if after.id != item.id {
        return Err(Error::bad_argument(format!("the edit changed the ID from {} to {}", item.id, after.id))
            .with_hint("IDs are stable; `pm renumber OLD NEW` changes one and its references"));
    }
    values::check_item(product, &after)?;
    commit(tx, item, after)
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
    let text = frontmatter::edit_fields(&item.text, &item.split, assignments)
        .map_err(|e| Error::bad_file(item.location("id"), format!("cannot edit the front matter: {e}")))?;
    let after = Item::parse(text, item.path.clone(), item.rel.clone(), item.shown.clone(), &product.config)?;
    stage(tx, item, after)
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
