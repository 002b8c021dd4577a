//! Reviews against the parent: the `reviewed` mark a story (or an epic) carries, and the
//! fingerprint of the parent's substance it records.
//!
//! A story is written against its epic, an epic against its vision. When the parent changes in
//! substance (its title, its prose, the text of its criteria; not its status or its rank; an
//! epic's or a vision's body is all prose), the child may no longer say what the parent now means: it is *suspect* until someone
//! reads it again. `pm review S-12` records that reading as one line:
//!
//! ```yaml
//! reviewed: 2026-12-02 E-3@5e1f0c2a
//! ```
//!
//! the day, the parent, and the first 8 hex digits of the SHA-256 of the parent's substance
//! then (as Doorstop stamps its links). The fingerprint decides: while the parent's substance
//! hashes to it, the child is not suspect, whatever the history says (a fingerprint needs no
//! history, so it holds in a shallow clone). A hand-written `reviewed: 2026-12-02` without a
//! fingerprint also counts: the commit that wrote it is when the child was reviewed.

use sha2::{Digest, Sha256};

use crate::model::id::Kind;
use crate::model::item::Item;

/// The field that holds the mark.
pub const FIELD: &str = "reviewed";

/// A parsed `reviewed` mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The day it was written (`YYYY-MM-DD`).
    pub day: String,
    /// The parent's ID and its fingerprint then; `None` for a mark that gives only the day.
    pub against: Option<(String, String)>,
}

impl Review {
    /// Read a mark: `DAY` or `DAY PARENT@FINGERPRINT`. `None` when it is neither.
    pub fn parse(text: &str) -> Option<Review> {
        let mut words = text.split_whitespace();
        let day = words.next()?;
        crate::model::sprint::parse_date(day)?;
        let against = match words.next() {
            None => None,
            Some(word) => {
                let (parent, print) = word.split_once('@')?;
                let hex = print.len() == 8 && print.bytes().all(|b| b.is_ascii_hexdigit());
                if parent.is_empty() || !hex {
                    return None;
                }
                Some((parent.to_string(), print.to_ascii_lowercase()))
            }
        };
        if words.next().is_some() {
            return None;
        }
        Some(Review { day: day.to_string(), against })
    }

    /// The mark as written in the file.
    pub fn text(&self) -> String {
        match &self.against {
            Some((parent, print)) => format!("{} {parent}@{print}", self.day),
            None => self.day.clone(),
        }
    }
}

/// The field of `kind` that names the parent it is reviewed against (`None`: nothing above it).
pub fn parent_field(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Story => Some("epic"),
        Kind::Epic => Some("vision"),
        Kind::Vision | Kind::Sprint | Kind::Feedback => None,
    }
}

/// The item's substance as one text: the title, the prose of the body and each criterion's
/// label and text, with the prose read as [`Item::prose_lines`] reads it (a file converted to
/// CRLF, with an extra empty line, or with a task ticked, has the same substance).
pub fn substance(item: &Item) -> String {
    let mut out = String::with_capacity(item.text.len());
    out.push_str(item.title.trim());
    out.push('\n');
    item.prose_lines(|line| {
        out.push_str(line);
        out.push('\n');
    });
    for c in &item.criteria.items {
        out.push_str(&format!("{}: {}\n", c.label(), c.text.trim()));
    }
    out
}

/// The first 8 hex digits of the SHA-256 of the item's [`substance`].
pub fn fingerprint(item: &Item) -> String {
    let digest = Sha256::digest(substance(item).as_bytes());
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::Config;

    fn item(text: &str) -> Item {
        let rel = "epics/E-3-e.md".to_string();
        Item::parse(text.into(), rel.clone().into(), rel.clone(), rel.into(), &Config::default()).unwrap()
    }

    const EPIC: &str = "---\nid: E-3\ntitle: Bank sync\nstatus: active\n---\nImport from banks.\n\n## Acceptance criteria\n\n- [ ] AC-1: Given a bank, then it syncs\n";

    #[test]
    fn marks_read_as_a_day_or_a_day_and_a_fingerprint() {
        assert_eq!(Review::parse("2026-12-02"), Some(Review { day: "2026-12-02".into(), against: None }));
        let full = Review::parse("2026-12-02 E-3@5E1F0C2A").unwrap();
        assert_eq!(full.against, Some(("E-3".into(), "5e1f0c2a".into())));
        assert_eq!(full.text(), "2026-12-02 E-3@5e1f0c2a");
        for bad in [
            "",
            "yesterday",
            "2026-12-02 E-3",
            "2026-12-02 E-3@5e1f",
            "2026-12-02 @5e1f0c2a",
            "2026-12-02 E-3@5e1f0c2z",
            "2026-12-02 E-3@5e1f0c2a x",
        ] {
            assert_eq!(Review::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_fingerprint_follows_substance_only() {
        let base = fingerprint(&item(EPIC));
        assert_eq!(base.len(), 8);
        // Line endings, trailing blanks and status are not substance.
        assert_eq!(fingerprint(&item(&EPIC.replace('\n', "\r\n"))), base);
        assert_eq!(fingerprint(&item(&EPIC.replace("banks.\n", "banks.   \n\n\n"))), base);
        assert_eq!(fingerprint(&item(&EPIC.replace("status: active", "status: done"))), base);
        // A task of the description ticked is progress, not a change of what it says; the
        // same task reworded is.
        let tasks = EPIC.replace("banks.\n", "banks.\n\n- [ ] Call the bank\n1. [ ] Sign\n");
        let before = fingerprint(&item(&tasks));
        assert_eq!(fingerprint(&item(&tasks.replace("- [ ] Call", "- [x] Call").replace("1. [ ]", "1. [X]"))), before);
        assert_ne!(fingerprint(&item(&tasks.replace("Call the bank", "Call both banks"))), before);
        assert_ne!(before, base);
        // Title, prose and criteria text are.
        assert_ne!(fingerprint(&item(&EPIC.replace("Bank sync", "Bank sync and import"))), base);
        assert_ne!(fingerprint(&item(&EPIC.replace("from banks", "from two banks"))), base);
        assert_ne!(fingerprint(&item(&EPIC.replace("it syncs", "it syncs daily"))), base);
    }
}
