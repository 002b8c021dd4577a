//! Item kinds and IDs (`S-12`), criterion references (`S-12/AC-2`) and file-name slugs.

use std::fmt;

/// The kinds of item a product holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Vision,
    Epic,
    Story,
    Sprint,
    /// What a customer or stakeholder said, linked to the stories and epics it supports.
    Feedback,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Vision, Kind::Epic, Kind::Story, Kind::Sprint, Kind::Feedback];

    /// The singular name, as used in commands (`pm story ...`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Vision => "vision",
            Kind::Epic => "epic",
            Kind::Story => "story",
            Kind::Sprint => "sprint",
            Kind::Feedback => "feedback",
        }
    }

    /// The name with its article: "a story", "an epic".
    pub fn with_article(self) -> &'static str {
        match self {
            Kind::Vision => "a vision",
            Kind::Epic => "an epic",
            Kind::Story => "a story",
            Kind::Sprint => "a sprint",
            Kind::Feedback => "a feedback item",
        }
    }

    /// The folder new items of this kind are created in, relative to `product/`.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Vision => "visions",
            Kind::Epic => "epics",
            Kind::Story => "stories",
            Kind::Sprint => "sprints",
            Kind::Feedback => "feedback",
        }
    }

    /// The kind whose folder holds `rel`, a `/`-separated path inside `product/`.
    pub fn of_folder_path(rel: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| rel.strip_prefix(k.folder()).is_some_and(|r| r.starts_with('/')))
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What an ID looks like, for hints: every message about a malformed ID says it this way.
pub fn id_hint(prefix: &str) -> String {
    format!("an ID is a prefix, a dash and a number without leading zeros, like {prefix}-12")
}

/// "`text` is not an ID", with why when the reason is not plain to see (a number too large).
pub fn not_an_id(text: &str) -> String {
    let number = text.trim().split_once('-').map_or("", |(_, n)| n);
    let huge = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) && number.parse::<u64>().is_err();
    if huge {
        format!("`{text}` is not an ID: its number is larger than {}", u64::MAX)
    } else {
        format!("`{text}` is not an ID")
    }
}

/// An item ID: a prefix, a dash and a number (`S-12`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId {
    pub prefix: String,
    pub number: u64,
}

impl ItemId {
    pub fn new(prefix: &str, number: u64) -> Self {
        Self { prefix: prefix.to_string(), number }
    }

    /// Parse `PREFIX-N`. The prefix is one or more ASCII letters; N has no leading zero.
    /// Whether `text` is an ID (`parse` would succeed), without building one.
    pub fn is_valid(text: &str) -> bool {
        let Some((prefix, number)) = text.split_once('-') else { return false };
        !prefix.is_empty()
            && prefix.bytes().all(|b| b.is_ascii_alphabetic())
            && !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
            && !(number.len() > 1 && number.starts_with('0'))
            && number.parse::<u64>().is_ok()
    }

    pub fn parse(text: &str) -> Option<Self> {
        let (prefix, number) = text.split_once('-')?;
        Self::from_parts(prefix, number)
    }

    /// The ID of a prefix and a number written apart (`S`, `12`), checked as [`ItemId::parse`]
    /// checks them.
    fn from_parts(prefix: &str, number: &str) -> Option<Self> {
        if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_alphabetic()) {
            return None;
        }
        if number.is_empty()
            || !number.bytes().all(|b| b.is_ascii_digit())
            || (number.len() > 1 && number.starts_with('0'))
        {
            return None;
        }
        Some(Self { prefix: prefix.to_string(), number: number.parse().ok()? })
    }

    /// The ID a file name starts with (`S-12-reset-password.md` -> `S-12`), if any.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let stem = name.strip_suffix(".md")?;
        let (prefix, rest) = stem.split_once('-')?;
        let digits = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
        let after = &rest[digits..];
        if digits == 0 || !(after.is_empty() || after.starts_with('-')) {
            return None;
        }
        Self::from_parts(prefix, &rest[..digits])
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.prefix, self.number)
    }
}

/// A reference to one acceptance criterion: `S-12/AC-2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionRef {
    pub story: ItemId,
    pub number: u32,
}

impl CriterionRef {
    pub fn parse(text: &str) -> Option<Self> {
        let (story, ac) = text.split_once('/')?;
        Some(Self { story: ItemId::parse(story)?, number: parse_ac_id(ac)? })
    }
}

impl fmt::Display for CriterionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/AC-{}", self.story, self.number)
    }
}

/// Parse `AC-7` (case-insensitive prefix) into 7.
pub fn parse_ac_id(text: &str) -> Option<u32> {
    let rest = text.strip_prefix("AC-").or_else(|| text.strip_prefix("ac-"))?;
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok()
}

/// The file-name slug of a title: lowercase ASCII letters and digits joined by single dashes,
/// at most 50 characters, cut at a word boundary.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    if out.len() > 50 {
        let cut = out[..=50].rfind('-').unwrap_or(50);
        out.truncate(cut);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ids() {
        assert_eq!(ItemId::parse("S-12"), Some(ItemId::new("S", 12)));
        assert_eq!(ItemId::parse("S-012"), None);
        assert_eq!(ItemId::parse("S12"), None);
        assert_eq!(ItemId::parse("-1"), None);
        assert_eq!(ItemId::from_file_name("S-12-reset.md"), Some(ItemId::new("S", 12)));
        assert_eq!(ItemId::from_file_name("S-12.md"), Some(ItemId::new("S", 12)));
        assert_eq!(ItemId::from_file_name("S-12x.md"), None);
        assert_eq!(ItemId::from_file_name("notes.md"), None);
    }

    #[test]
    fn parses_criterion_refs() {
        let r = CriterionRef::parse("S-12/AC-2").unwrap();
        assert_eq!(r.to_string(), "S-12/AC-2");
        assert!(CriterionRef::parse("S-12/2").is_none());
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Reset password by email!"), "reset-password-by-email");
        assert_eq!(slug("  Über — café  "), "ber-caf");
        let long = slug(&"word ".repeat(30));
        assert!(long.len() <= 50 && !long.ends_with('-'));
    }
}
