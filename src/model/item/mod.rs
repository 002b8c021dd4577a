//! An item (vision, epic, story, sprint or feedback) read from its file: typed fields over the raw front matter.
//!
//! The raw text is kept so edits can be made to it byte for byte; the typed accessors read
//! the parsed front matter, which keeps every field, known or not, in file order.

use std::path::PathBuf;

use serde_yaml::Value;

use crate::error::{Error, Location, Result};
use crate::model::config::Config;
use crate::model::criteria::Criteria;
use crate::model::fields::Fields;
use crate::model::frontmatter::{self, Split};
use crate::model::id::{ItemId, Kind};

pub mod read;
pub mod rules;

pub use read::{Diagnostic, Reading, read};

/// Fields every item has, in the order `add` writes them.
pub const COMMON_FIELDS: &[&str] = &["id", "title", "status", "owner", "labels", "reason", "source"];
/// Fields only stories have.
pub const STORY_FIELDS: &[&str] = &["epic", "priority", "points", "depends_on", "sprint", "reviewed"];
/// Fields only epics have.
pub const EPIC_FIELDS: &[&str] = &["vision", "target", "reviewed"];
/// Fields only visions have.
pub const VISION_FIELDS: &[&str] = &["metrics"];

/// The field that holds `pm check` silences (`pm-allow: {rule: reason}`).
pub const ALLOW_FIELD: &str = "pm-allow";

/// The fields only items of `kind` have (beyond [`COMMON_FIELDS`]).
pub fn own_fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Story => STORY_FIELDS,
        Kind::Epic => EPIC_FIELDS,
        Kind::Vision => VISION_FIELDS,
        Kind::Sprint => crate::model::sprint::SPRINT_FIELDS,
        Kind::Feedback => crate::model::feedback::FEEDBACK_FIELDS,
    }
}

/// True when `key` is a field `pm` gives a meaning to for items of `kind`.
pub fn is_known_field(kind: Kind, key: &str) -> bool {
    COMMON_FIELDS.contains(&key) || own_fields(kind).contains(&key)
}

/// One product item, as read from its file.
#[derive(Debug, Clone)]
pub struct Item {
    pub kind: Kind,
    pub id: ItemId,
    /// Absolute path of the file.
    pub path: PathBuf,
    /// Path relative to `product/`, with `/` separators (as used in backlog links).
    pub rel: String,
    /// Path as shown to the user in messages.
    pub shown: PathBuf,
    pub title: String,
    pub status: String,
    /// Every front-matter field, in file order.
    pub fields: Fields,
    /// The whole file text.
    pub text: String,
    pub split: Split,
    pub criteria: Criteria,
}

/// A metric of a vision: `name`, `target`, optional `current`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Metric {
    pub name: String,
    pub target: String,
    pub current: Option<String>,
}

impl Item {
    /// Parse an item file: [`read()`] it, and its first diagnostic is the error. That checks what
    /// every command relies on: front matter, `id`, `title`, `status` and the types of known
    /// fields. Whether values are allowed is `pm check`'s job for existing files, and the
    /// authoring commands' job for what they write.
    pub fn parse(text: String, path: PathBuf, rel: String, shown: PathBuf, config: &Config) -> Result<Item> {
        Item::parse_repairing(text, path, rel, shown, config, &[])
    }

    /// [`Item::parse`] for an edit that replaces the fields `repairing`: a value of the wrong
    /// type in one of them (`points: lots`) does not stop the parse, so `pm story set S-1
    /// points=3` can fix what every other command refuses to read.
    pub fn parse_repairing(
        text: String,
        path: PathBuf,
        rel: String,
        shown: PathBuf,
        config: &Config,
        repairing: &[&str],
    ) -> Result<Item> {
        let (reading, mut diagnostics) = read(&text, &rel, config);
        if let Some(r) = reading.as_ref().filter(|_| !repairing.is_empty()) {
            let lines: Vec<usize> =
                repairing.iter().filter_map(|key| frontmatter::key_line(&text, &r.split, key)).collect();
            diagnostics.retain(|d| d.code != "field/invalid-value" || !lines.contains(&d.line));
        }
        if let Some(d) = diagnostics.into_iter().next() {
            return Err(Error::bad_file(Location::new(shown, d.line), d.message).with_hint(d.hint));
        }
        let Some(Reading {
            split,
            fields,
            kind: Some(kind),
            id: Some(id),
            title: Some(title),
            status: Some(status),
            criteria,
        }) = reading
        else {
            // A reading without diagnostics has every identity field.
            return Err(Error::bad_file(Location::file(shown), "not an item"));
        };
        Ok(Item { kind, id, path, rel, shown, title, status, fields, text, split, criteria })
    }

    /// The item's text with `edits` made to its front matter (nothing is written): an error at
    /// the line that stops the edit.
    pub fn edited(&self, edits: &[(String, frontmatter::FieldValue)]) -> Result<String> {
        if let Some(line) = frontmatter::bare_cr_line(&self.text, &self.split) {
            return Err(Error::bad_file(Location::new(self.shown.clone(), line), frontmatter::BARE_CR)
                .with_hint("replace the carriage return with a line end (or remove it), then run the command again"));
        }
        frontmatter::edit_fields(&self.text, &self.split, edits)
            .map_err(|e| Error::bad_file(self.location("id"), format!("cannot edit the front matter: {e}")))
    }

    pub fn location(&self, key: &str) -> Location {
        Location::new(self.shown.clone(), self.line_of(key).unwrap_or(1))
    }

    /// The file line of a front-matter key.
    pub fn line_of(&self, key: &str) -> Option<usize> {
        frontmatter::key_line(&self.text, &self.split, key)
    }

    pub fn body(&self) -> &str {
        &self.text[self.split.body.clone()]
    }

    /// The body's prose: the body without the lines of its acceptance criteria, in pieces.
    pub fn prose(&self) -> Vec<&str> {
        let body = self.body();
        let mut parts = Vec::new();
        let mut at = 0;
        for c in &self.criteria.items {
            if c.lines.start >= at && c.lines.end <= body.len() {
                parts.push(&body[at..c.lines.start]);
                at = c.lines.end;
            }
        }
        parts.push(&body[at..]);
        parts
    }

    /// The prose as what it says, one line at a time to `line`: line endings and trailing
    /// blanks dropped, leading and trailing blank lines dropped, a run of blank lines read as
    /// one (as Markdown reads them), and a task box (`- [x] Call the bank`) read unticked:
    /// ticking a task is progress, not a change of what the item says. The review fingerprint
    /// and the history's "description edited" both read this, so they agree on what an edit is.
    pub fn prose_lines(&self, mut line: impl FnMut(&str)) {
        // The pieces end at line boundaries (a criterion's lines are whole lines), so their
        // lines are the prose's lines, read without joining the pieces (this runs for every
        // item state the history compares).
        let mut started = false;
        let mut blank = false;
        for text in self.prose().into_iter().flat_map(str::lines).map(str::trim_end) {
            if text.is_empty() {
                // Leading blank lines are dropped; a run inside reads as one, and only when a
                // line follows it (trailing blank lines are dropped).
                blank = started;
                continue;
            }
            if blank {
                line("");
                blank = false;
            }
            let text = if started { text } else { text.trim_start() };
            started = true;
            match untick(text) {
                Some(unticked) => line(&unticked),
                None => line(text),
            }
        }
    }

    /// A single-valued field as text.
    pub fn get(&self, key: &str) -> Option<String> {
        self.fields.get(key).and_then(scalar_string).filter(|s| !s.is_empty())
    }

    pub fn owner(&self) -> Option<String> {
        self.get("owner")
    }
    pub fn epic(&self) -> Option<String> {
        self.get("epic")
    }
    pub fn vision(&self) -> Option<String> {
        self.get("vision")
    }
    pub fn priority(&self) -> Option<String> {
        self.get("priority")
    }
    pub fn sprint(&self) -> Option<String> {
        self.get("sprint")
    }

    pub fn points(&self) -> Result<Option<u64>> {
        match self.fields.get("points") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64()),
            Some(v) => {
                let (message, hint) = read::not_a_count("points", v);
                Err(Error::bad_file(self.location("points"), message).with_hint(hint))
            }
        }
    }

    /// Points, treating a malformed value as none (it was reported when the item was parsed).
    pub fn points_or_none(&self) -> Option<u64> {
        self.points().ok().flatten()
    }

    /// A list field (`labels`, `depends_on`); a single string counts as a one-item list.
    pub fn list(&self, key: &str) -> Result<Vec<String>> {
        match self.fields.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Sequence(items)) => items
                .iter()
                .map(|v| {
                    scalar_string(v).ok_or_else(|| {
                        Error::bad_file(self.location(key), format!("`{key}` must be a list of single values"))
                            .with_hint(format!("write it as `{key}: [a, b]`"))
                    })
                })
                .collect(),
            Some(v) => match scalar_string(v) {
                Some(s) if !s.is_empty() => Ok(vec![s]),
                Some(_) => Ok(Vec::new()),
                None => Err(Error::bad_file(self.location(key), format!("`{key}` must be a list"))
                    .with_hint(format!("write it as `{key}: [a, b]`"))),
            },
        }
    }

    pub fn labels(&self) -> Vec<String> {
        self.list("labels").unwrap_or_default()
    }

    pub fn depends_on(&self) -> Vec<String> {
        self.list("depends_on").unwrap_or_default()
    }

    /// A vision's metrics; entries that are not mappings with a name are skipped.
    pub fn metrics(&self) -> Vec<Metric> {
        let Some(Value::Sequence(items)) = self.fields.get("metrics") else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|m| {
                let m = m.as_mapping()?;
                Some(Metric {
                    name: m.get("name").and_then(scalar_string)?,
                    target: m.get("target").and_then(scalar_string).unwrap_or_default(),
                    current: m.get("current").and_then(scalar_string),
                })
            })
            .collect()
    }

    /// Front-matter fields `pm` does not give a meaning to, in file order.
    pub fn unknown_fields(&self) -> Vec<(String, &Value)> {
        self.fields
            .iter()
            .filter_map(|(k, v)| {
                let k = scalar_string(k)?;
                (!is_known_field(self.kind, &k)).then_some((k, v))
            })
            .collect()
    }
}

/// Whether a YAML value is a scalar (what [`scalar_string`] reads), without copying it.
pub fn is_scalar(v: &Value) -> bool {
    match v {
        Value::Tagged(t) => is_scalar(&t.value),
        Value::Sequence(_) | Value::Mapping(_) => false,
        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => true,
    }
}

/// A scalar YAML value as text (`3`, `true`, `done`); `None` for lists and mappings.
pub fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        Value::Tagged(t) => scalar_string(&t.value),
        Value::Sequence(_) | Value::Mapping(_) => None,
    }
}

/// A YAML value as compact one-line text, for showing unknown fields.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::Sequence(items) => {
            format!("[{}]", items.iter().map(value_text).collect::<Vec<_>>().join(", "))
        }
        Value::Mapping(m) => format!(
            "{{{}}}",
            m.iter().map(|(k, v)| format!("{}: {}", value_text(k), value_text(v))).collect::<Vec<_>>().join(", ")
        ),
        other => scalar_string(other).unwrap_or_default(),
    }
}

/// A YAML value as JSON, for `--format json`.
pub fn value_json(v: &Value) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// A task-list line with a ticked box (`- [x] text`, `1. [X] text`) as the unticked line; `None`
/// for any other line.
fn untick(line: &str) -> Option<String> {
    let rest = line.trim_start();
    let marker = if rest.starts_with(['-', '*', '+']) {
        1
    } else {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || !rest[digits..].starts_with(['.', ')']) {
            return None;
        }
        digits + 1
    };
    let after = &rest[marker..];
    let gap = after.len() - after.trim_start_matches([' ', '\t']).len();
    let boxed = &after[gap..];
    if gap == 0 || !(boxed.starts_with("[x]") || boxed.starts_with("[X]")) {
        return None;
    }
    let at = line.len() - boxed.len() + 1;
    Some(format!("{} {}", &line[..at], &line[at + 1..]))
}
