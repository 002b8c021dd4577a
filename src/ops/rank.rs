//! Reordering: a story in the backlog, an epic on the roadmap. A move is one line moved.

use crate::error::{Error, Result};
use crate::model::id::Kind;
use crate::model::listfile::ListFile;
use crate::store::transaction::Transaction;

/// Where to put an item among the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    Top,
    Bottom,
    Before(String),
    After(String),
    /// 1-based rank.
    To(usize),
}

/// A move that happened: 1-based ranks (within the horizon for epics).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub id: String,
    pub from: Option<usize>,
    pub to: usize,
    pub from_horizon: Option<String>,
    pub horizon: Option<String>,
}

/// A position whose `--before`/`--after` ID is written as files write it.
fn typed(product: &crate::store::product::Product, position: &Position) -> Position {
    let canonical = |id: &String| product.config.id_from_input(id).map_or_else(|| id.clone(), |i| i.to_string());
    match position {
        Position::Before(id) => Position::Before(canonical(id)),
        Position::After(id) => Position::After(canonical(id)),
        other => other.clone(),
    }
}

fn target_index(others: &[String], position: &Position, kind: &str) -> Result<usize> {
    let find = |id: &String| {
        others.iter().position(|o| o == id).ok_or_else(|| {
            Error::bad_argument(format!("{id} is not in the {kind}"))
                .with_hint(format!("--before and --after take an ID listed in the {kind}"))
        })
    };
    Ok(match position {
        Position::Top => 0,
        Position::Bottom => others.len(),
        Position::Before(id) => find(id)?,
        Position::After(id) => find(id)? + 1,
        Position::To(n) => {
            if *n == 0 {
                return Err(Error::bad_argument("--to counts from 1 (the top)").with_hint("use --to 1 or --top"));
            }
            (*n - 1).min(others.len())
        }
    })
}

/// Move story `id` in the backlog. An open story that is not listed yet is inserted.
pub fn rank(tx: &mut Transaction, id: &str, position: &Position) -> Result<Moved> {
    let product = tx.product();
    let item = product.get(id, Kind::Story)?;
    // The ID as files write it (`s-2` typed is `S-2`), for the list's lines.
    let canonical = item.id.to_string();
    let id = canonical.as_str();
    let position = &typed(product, position);
    if product.config.is_closed(&item.status) {
        return Err(Error::bad_argument(format!("{id} is {}; closed stories are not in the backlog", item.status))
            .with_hint(format!("reopen it first: pm story set {id} status=ready")));
    }
    if let Position::Before(other) | Position::After(other) = position
        && other == id
    {
        return Err(Error::bad_argument(format!("cannot move {id} relative to itself"))
            .with_hint("name another story with --before or --after"));
    }
    let path = product.backlog_path();
    let mut list = tx.read_list(&path)?;
    let before = list.text();
    let from = list.entries().iter().position(|e| e.id == id).map(|i| i + 1);
    // The line moves as it is (bullet, trailing text), or is made for a story not listed yet.
    let line = list.take(id).unwrap_or_else(|| ListFile::entry_line(id, &item.rel, &item.title));
    let others: Vec<String> = list.entries().into_iter().map(|e| e.id).collect();
    let index = target_index(&others, position, "backlog")?;
    if from == Some(index + 1) {
        return Ok(Moved { id: id.to_string(), from, to: index + 1, from_horizon: None, horizon: None });
    }
    list.insert_at(index, line);
    let after = list.text();
    if after != before {
        tx.write(&path, after);
        tx.commit()?;
    }
    Ok(Moved { id: id.to_string(), from, to: index + 1, from_horizon: None, horizon: None })
}

/// Move epic `id` to `horizon` on the roadmap, at `position` within it.
pub fn move_epic(tx: &mut Transaction, id: &str, horizon: &str, position: &Position) -> Result<Moved> {
    let product = tx.product();
    let item = product.get(id, Kind::Epic)?;
    let canonical = item.id.to_string();
    let id = canonical.as_str();
    let position = &typed(product, position);
    if product.config.is_closed(&item.status) {
        return Err(Error::bad_argument(format!("{id} is {}; closed epics are not on the roadmap", item.status))
            .with_hint(format!("reopen it first: pm epic set {id} status=active")));
    }
    let path = product.roadmap_path();
    let mut list = tx.read_list(&path)?;
    if list.text().is_empty() {
        list = ListFile::parse(&ListFile::new_roadmap());
    }
    let before = list.text();
    let current = list.entries().into_iter().find(|e| e.id == id);
    let from_horizon = current.as_ref().and_then(|e| e.section.clone());
    let from = current.as_ref().and_then(|e| {
        list.section_entries(e.section.as_deref().unwrap_or("")).iter().position(|x| x.id == id).map(|i| i + 1)
    });
    let mut moved = list.clone();
    // The line moves as it is; leaving a section empty leaves no doubled blank line.
    let line = moved.entry_text(id).unwrap_or_else(|| ListFile::entry_line(id, &item.rel, &item.title));
    moved.remove(id);
    let others: Vec<String> = moved.section_entries(horizon).into_iter().map(|e| e.id).collect();
    let index = target_index(&others, position, &format!("{horizon} horizon"))?;
    let same_place =
        from_horizon.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(horizon)) && from == Some(index + 1);
    if !same_place {
        list = moved;
        list.insert_in_section(horizon, index, line);
    }
    let after = list.text();
    if after != before {
        tx.write(&path, after);
        tx.commit()?;
    }
    Ok(Moved { id: id.to_string(), from, to: index + 1, from_horizon, horizon: Some(horizon.to_string()) })
}

/// Put the backlog in the order `order` gives its entries (indexes into them, each once): entry
/// lines change places, every other line stays. Returns the stories whose rank changes (ranks
/// before and after), writing only when `apply`.
pub fn rank_by(
    tx: &mut Transaction,
    order: impl FnOnce(&[crate::model::listfile::Entry]) -> Vec<usize>,
    apply: bool,
) -> Result<Vec<Moved>> {
    let path = tx.product().backlog_path();
    let mut list = tx.read_list(&path)?;
    let entries = list.entries();
    let order = order(&entries);
    let moves = (order.iter().enumerate())
        .filter(|&(k, &from)| k != from)
        .map(|(k, &from)| Moved {
            id: entries[from].id.clone(),
            from: Some(from + 1),
            to: k + 1,
            from_horizon: None,
            horizon: None,
        })
        .collect();
    if apply {
        let before = list.text();
        list.reorder_entries(&order);
        if list.text() != before {
            tx.write(&path, list.text());
            tx.commit()?;
        }
    }
    Ok(moves)
}
