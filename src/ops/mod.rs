//! The operations behind the authoring commands. Each takes the caller's locked
//! [`Transaction`], checks its input, computes every file change, and commits them together.

pub mod ac;
pub mod add;
pub mod fmt;
pub mod import;
pub mod rank;
pub mod renumber;
pub mod set;
pub mod sprint;
pub mod values;

use crate::error::Result;
use crate::model::id::Kind;
use crate::model::item::Item;
use crate::model::listfile::{HORIZONS, ListFile};
use crate::store::transaction::Transaction;

/// Where an item goes when it joins its list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    Top,
    Bottom,
    /// Just above, or just below, this item (backlog only).
    Before(String),
    After(String),
    /// At this 1-based rank (backlog only).
    To(usize),
}

/// Keep `backlog.md` (stories) or `roadmap.md` (epics) in step with an item that was created
/// or changed: a closed item leaves the list, a listed one whose title or file moved gets its
/// line refreshed, and, when `may_insert` (a new or reopened item), an open one not listed
/// joins it. Nothing else in the list changes.
pub fn sync_lists(tx: &mut Transaction, item: &Item, may_insert: Option<(Placement, &str)>) -> Result<()> {
    let product = tx.product();
    let path = match item.kind {
        Kind::Story => product.backlog_path(),
        Kind::Epic => product.roadmap_path(),
        Kind::Vision | Kind::Sprint | Kind::Feedback => return Ok(()),
    };
    let mut list = tx.read_list(&path)?;
    let before = list.text();
    let id = item.id.to_string();
    let listed = list.entries().iter().any(|e| e.id == id);
    let open = !product.config.is_closed(&item.status);
    let line = ListFile::entry_line(&id, &item.rel, &item.title);
    if !open {
        list.remove(&id);
    } else if listed {
        let current = list.entries().into_iter().find(|e| e.id == id);
        if current.is_some_and(|e| e.title != item.title || e.link != item.rel) {
            list.replace(&id, &item.rel, &item.title);
        }
    } else if let Some((placement, horizon)) = may_insert {
        // The story named as typed (`s-3` is S-3).
        let near = |other: &str| {
            let other = product.config.id_from_input(other).map_or_else(|| other.to_string(), |id| id.to_string());
            list.entries().iter().position(|e| e.id == other).ok_or_else(|| {
                crate::error::Error::bad_argument(format!("{other} is not in the backlog"))
                    .with_hint("name a story listed in backlog.md (pm backlog), or use --top")
            })
        };
        let index = match placement {
            Placement::Top => 0,
            Placement::Bottom => usize::MAX,
            Placement::Before(other) => near(&other)?,
            Placement::After(other) => near(&other)? + 1,
            Placement::To(rank) => rank.saturating_sub(1),
        };
        if before.is_empty() {
            list = ListFile::parse(&match item.kind {
                Kind::Story => ListFile::new_backlog(),
                _ => ListFile::new_roadmap(),
            });
        }
        match item.kind {
            Kind::Story => list.insert_at(index, line),
            _ => list.insert_in_section(horizon, index, line),
        }
    }
    let after = list.text();
    if after != before {
        tx.write(path, after);
    }
    Ok(())
}

/// The roadmap horizon name for a user's word (`now`, `Next`, ...).
pub fn horizon_name(word: &str) -> Option<&'static str> {
    HORIZONS.into_iter().find(|h| h.eq_ignore_ascii_case(word))
}
