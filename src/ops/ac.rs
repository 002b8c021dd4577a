//! Acceptance-criteria edits on one story: add, check, uncheck, remove. Each changes only the
//! criterion's own line(s); IDs are never renumbered.

use std::collections::BTreeSet;

use crate::error::{Error, Result};
use crate::model::frontmatter::line_ending;
use crate::model::item::Item;
use crate::store::transaction::Transaction;

/// What to do to a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Check,
    Uncheck,
    Remove,
}

/// Add criterion `text` to `story`; returns its number: the lowest above the highest present
/// that `named` (numbers code or tests still name) does not hold.
pub fn add(tx: &mut Transaction, story: &Item, text: &str, named: &BTreeSet<u32>) -> Result<u32> {
    let text = text.trim();
    if text.is_empty() || text.contains('\n') {
        return Err(Error::bad_argument("an acceptance criterion must be one non-empty line")
            .with_hint("e.g. pm ac add S-12 \"Given ..., when ..., then ...\""));
    }
    super::values::one_line("the acceptance criterion", text)?;
    let Some(n) = story.criteria.free_number(named) else {
        return Err(Error::bad_argument(format!("{} has no criterion number left above its highest", story.id))
            .with_hint(format!("give its criteria lower numbers by hand: pm story edit {}", story.id)));
    };
    let body = story.body();
    // A heading that only looks like the criteria heading would get a second, real one below.
    if story.criteria.heading_line.is_none()
        && let Some((line, heading)) = crate::model::criteria::near_heading(body)
    {
        let at = crate::error::Location::new(story.shown.clone(), story.split.body_line + line);
        return Err(Error::bad_file(
            at,
            format!("`{heading}` is not read as the criteria heading, so a second one would be added"),
        )
        .with_hint("write it as `## Acceptance criteria`, then add the criterion"));
    }
    let (n, new_body) = story.criteria.add(body, text, line_ending(&story.text), n);
    write_body(tx, story, &new_body)?;
    Ok(n)
}

/// Check, uncheck or remove criterion `number`. Returns false when nothing had to change.
pub fn change(tx: &mut Transaction, story: &Item, number: u32, action: Action) -> Result<bool> {
    let Some(c) = story.criteria.find(number) else {
        let have: Vec<String> = story.criteria.items.iter().map(|c| c.label()).collect();
        let hint = if have.is_empty() {
            format!("{} has no acceptance criteria yet; add one with `pm ac add {} TEXT`", story.id, story.id)
        } else {
            format!("{} has {}", story.id, have.join(", "))
        };
        return Err(Error::bad_argument(format!("{} has no AC-{number}", story.id)).with_hint(hint));
    };
    let lines: Vec<String> = story
        .criteria
        .items
        .iter()
        .filter(|c| c.number == Some(number))
        .map(|c| (story.split.body_line + c.body_line).to_string())
        .collect();
    if lines.len() > 1 {
        // Which one is meant cannot be known: changing the first would be a guess.
        return Err(Error::bad_argument(format!(
            "{} has {} criteria numbered AC-{number} (lines {})",
            story.id,
            lines.len(),
            lines.join(", ")
        ))
        .with_hint(format!(
            "give each its own number first: pm story edit {} (pm check reports it as ac/duplicate-id)",
            story.id
        )));
    }
    let body = story.body();
    let new_body = match action {
        Action::Check if c.checked => return Ok(false),
        Action::Uncheck if !c.checked => return Ok(false),
        Action::Check => story.criteria.set_checked(body, number, true),
        Action::Uncheck => story.criteria.set_checked(body, number, false),
        Action::Remove => story.criteria.remove(body, number),
    };
    write_body(tx, story, &new_body.unwrap_or_else(|| body.to_string()))?;
    Ok(true)
}

fn write_body(tx: &mut Transaction, story: &Item, body: &str) -> Result<()> {
    let text = format!("{}{}", &story.text[..story.split.body.start], body);
    tx.write(&story.path, text);
    tx.commit()?;
    Ok(())
}
