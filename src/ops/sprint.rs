//! Sprint operations: planning stories into a sprint (by hand or filling it to capacity from
//! the top of the backlog), starting it, and closing it with its unfinished stories carried to
//! the next sprint or back to the backlog only. Each is one atomic write of every file it
//! changes.

use crate::error::{Error, Result};
use crate::model::frontmatter::{FieldValue, yaml_scalar};
use crate::model::id::Kind;
use crate::model::item::Item;
use crate::model::sprint::{Sprint, Tally, tally};
use crate::ops::set::{Changed, stage_set};
use crate::store::product::Items;
use crate::store::transaction::Transaction;

/// Which stories `--fill` takes: open ones in no sprint, from the top of the backlog
/// (`order`, story IDs), while the committed points stay within capacity. A story without
/// points is passed over (and named); the first story that does not fit ends the fill, so a
/// smaller story further down never jumps the priority order.
pub fn fill_choice(
    order: &[String],
    items: &Items,
    config: &crate::model::config::Config,
    committed: u64,
    capacity: u64,
) -> (Vec<String>, Vec<String>) {
    let (mut take, mut skipped) = (Vec::new(), Vec::new());
    let mut total = committed;
    for id in order {
        let open = |s: &&Item| s.kind == Kind::Story && s.sprint().is_none() && !config.is_closed(&s.status);
        let Some(story) = items.get(id).filter(open) else { continue };
        let Some(points) = story.points_or_none() else {
            skipped.push(id.clone());
            continue;
        };
        if total.saturating_add(points) > capacity {
            break;
        }
        total = total.saturating_add(points);
        take.push(id.clone());
    }
    (take, skipped)
}

/// Put `add` into the sprint and take `remove` out of it, in one write.
pub fn plan(tx: &mut Transaction, sprint: &Item, add: Vec<Item>, remove: Vec<Item>) -> Result<Vec<Changed>> {
    let id = sprint.id.to_string();
    let mut changed = Vec::new();
    for story in add {
        changed.push(stage_set(tx, story, &[("sprint".into(), FieldValue::Scalar(yaml_scalar(&id)))])?);
    }
    for story in remove {
        if story.sprint().as_deref() != Some(id.as_str()) {
            return Err(Error::bad_argument(format!("{} is not in {id}", story.id))
                .with_hint(format!("`pm sprint show {id}` lists its stories")));
        }
        changed.push(stage_set(tx, story, &[("sprint".into(), FieldValue::Remove)])?);
    }
    tx.commit()?;
    Ok(changed)
}

/// Check that a sprint may move to `to` (its active or closed status): a closed sprint moves
/// nowhere, an active one is not started again.
fn move_to(config: &crate::model::config::Config, sprint: &Item, to: &str) -> Result<()> {
    let (_, active, closed) = config.sprint_states();
    let id = &sprint.id;
    if sprint.status == closed {
        return Err(Error::bad_argument(format!("{id} is already {closed}"))
            .with_hint(format!("reopen it first if you must: pm sprint set {id} status={active}")));
    }
    if sprint.status == active && to == active {
        return Err(Error::bad_argument(format!("{id} is already {active}"))
            .with_hint(format!("close it when it ends: pm sprint close {id}")));
    }
    Ok(())
}

/// Start a sprint: its active status.
pub fn start(tx: &mut Transaction, sprint: Item) -> Result<Changed> {
    let active = tx.product().config.sprint_states().1.to_string();
    move_to(&tx.product().config, &sprint, &active)?;
    let changed = stage_set(tx, sprint, &[("status".into(), FieldValue::Scalar(yaml_scalar(&active)))])?;
    tx.commit()?;
    Ok(changed)
}

/// What closing a sprint did.
#[derive(Debug)]
pub struct Closed {
    /// The sprint's stories and points as it closed (before any was carried).
    pub tally: Tally,
    /// Unfinished stories moved to `carried_to` (or out of any sprint when `None`).
    pub carried: Vec<String>,
    pub carried_points: u64,
    pub carried_to: Option<String>,
}

/// Close a sprint: status `closed`; its unfinished stories go to `carry_to`, or out of any
/// sprint (they stay in the backlog, in their place).
pub fn close(tx: &mut Transaction, sprint: Item, items: &Items, carry_to: Option<&Item>) -> Result<Closed> {
    let config = &tx.product().config;
    let closed = config.sprint_states().2.to_string();
    move_to(config, &sprint, &closed)?;
    let id = sprint.id.to_string();
    if let Some(next) = carry_to {
        if next.id == sprint.id {
            return Err(Error::bad_argument(format!("{id} cannot carry its stories to itself"))
                .with_hint("name the next sprint: --carry-to SP-N"));
        }
        if config.is_sprint_closed(&next.status) {
            return Err(Error::bad_argument(format!("{} is closed; stories cannot be carried to it", next.id))
                .with_hint("carry them to a planned or active sprint, or leave out --carry-to"));
        }
    }
    let tally = tally(&id, items.of_kind(Kind::Story), config);
    let value = match carry_to {
        Some(next) => FieldValue::Scalar(yaml_scalar(&next.id.to_string())),
        None => FieldValue::Remove,
    };
    let mut carried_points = 0;
    for story_id in &tally.open {
        let Some(story) = items.get(story_id) else { continue };
        carried_points += story.points_or_none().unwrap_or(0);
        stage_set(tx, story.clone(), &[("sprint".into(), value.clone())])?;
    }
    stage_set(tx, sprint, &[("status".into(), FieldValue::Scalar(yaml_scalar(&closed)))])?;
    tx.commit()?;
    Ok(Closed { carried: tally.open.clone(), tally, carried_points, carried_to: carry_to.map(|n| n.id.to_string()) })
}

/// The sprint `pm sprint show` shows without an ID: the active one, else the next planned one.
pub fn current<'a>(config: &crate::model::config::Config, sprints: &[&'a Item]) -> Option<&'a Item> {
    let (planned, active, _) = config.sprint_states();
    let by_start = |s: &&&Item| Sprint::of(s).start;
    sprints
        .iter()
        .filter(|s| s.status == active)
        .min_by_key(by_start)
        .or_else(|| sprints.iter().filter(|s| s.status == planned).min_by_key(by_start))
        .copied()
}
