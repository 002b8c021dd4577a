//! Feedback: what a customer, a segment or a stakeholder said, kept as an item of its own
//! (`product/feedback/F-1-<slug>.md`) and linked to the stories and epics it supports.
//!
//! This module owns the feedback fields, the weight a feedback item counts for, and which
//! feedback supports an item. It reads items only; the commands write them.

use std::collections::HashMap;

use crate::model::item::Item;

/// Fields only feedback has (beyond the common ones), in the order `pm feedback add` writes them.
/// (`source`, where it was heard, is a field every item may have: an imported story's origin.)
pub const FEEDBACK_FIELDS: &[&str] = &["from", "date", "stories", "epics", "weight"];

/// The weights a feedback item may have; no `weight` counts as 1.
pub const WEIGHTS: std::ops::RangeInclusive<u64> = 1..=3;

/// The weight of one feedback item: its `weight`, or 1 when it has none (or one off the scale,
/// which `pm check` reports).
pub fn weight(feedback: &Item) -> u64 {
    feedback.get("weight").and_then(|w| w.parse().ok()).filter(|w| WEIGHTS.contains(w)).unwrap_or(1)
}

/// The IDs a feedback item supports: its `stories`, then its `epics`.
pub fn supports(feedback: &Item) -> impl Iterator<Item = String> {
    feedback.list("stories").unwrap_or_default().into_iter().chain(feedback.list("epics").unwrap_or_default())
}

/// What the feedback behind one item adds up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Feedback items that name it.
    pub count: u64,
    /// The sum of their weights.
    pub weight: u64,
}

impl Tally {
    /// `3 (5)`: the count, with the weighted sum when the weights make it differ; empty for none.
    pub fn text(self) -> String {
        match self.count {
            0 => String::new(),
            n if n == self.weight => n.to_string(),
            n => format!("{n} ({})", self.weight),
        }
    }
}

/// The feedback behind every item it names, by ID, built in one pass over the feedback.
#[derive(Debug, Default)]
pub struct Support {
    by_item: HashMap<String, Tally>,
}

impl Support {
    pub fn of<'a>(feedback: impl IntoIterator<Item = &'a Item>) -> Support {
        let mut by_item: HashMap<String, Tally> = HashMap::new();
        for f in feedback {
            let w = weight(f);
            let mut named: Vec<String> = supports(f).collect();
            named.sort();
            named.dedup();
            for id in named {
                let t = by_item.entry(id).or_default();
                t.count += 1;
                t.weight += w;
            }
        }
        Support { by_item }
    }

    /// The tally of one item (zero when no feedback names it).
    pub fn get(&self, id: &str) -> Tally {
        self.by_item.get(id).copied().unwrap_or_default()
    }

    /// Whether any feedback names any item (a product without feedback shows no column).
    pub fn is_empty(&self) -> bool {
        self.by_item.is_empty()
    }
}
