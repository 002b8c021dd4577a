//! Reviews against the parent: the `reviewed` mark a story (or an epic) carries, and the
//! fingerprint of the parent's substance it records.
//!
//! A story is written against its epic, an epic against its vision. When the parent changes in
//! substance (its title, its prose, the text of its criteria; not its status, rank or checked
//! boxes), the child may no longer say what the parent now means: it is *suspect* until someone
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
        Kind::Vision | Kind::Sprint => None,
    }
}

/// The item's substance as one text: the title, the prose of the body and each criterion's
/// label and text, with line endings and trailing blanks normalised (a file converted to CRLF
/// or re-wrapped at its end has the same substance).
pub fn substance(item: &Item) -> String {
    let mut out = String::with_capacity(item.text.len());
    out.push_str(item.title.trim());
    out.push('\n');
    let prose: String = item.prose().concat();
    for line in prose.trim().lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
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

/// The hint for a mark that does not read.
pub const HINT: &str = "write it as `reviewed: 2026-12-02` or let `pm review ID` write it";
